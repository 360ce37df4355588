/**
 * The exit codes of `swarmts`, for scripts. Each failure also prints `Error: ...` on stderr
 * saying what went wrong and what to do.
 */
export const exitCodes = {
  /** Done as asked. */
  ok: 0,
  /** The daemon or the cluster refused or failed the request, or cannot be reached. */
  error: 1,
  /** The command line is wrong: an unknown command or option, a bad value, a missing argument. */
  usage: 2,
  /**
   * The cluster accepted the change (stack deploy, service update, scale, rollback) but it
   * did not converge within --timeout, or its rolling update paused. Deploying again does not
   * help; `service ps` says why.
   */
  notConverged: 3,
  /** `container run`: the container could not be run at all (as docker's 125); otherwise run and exec exit with the container's own code. */
  containerNotRun: 125,
} as const;
