/* The last steps in the container before execve: rlimits, user and groups, capabilities,
 * no_new_privs, seccomp, cwd, and the PATH lookup in the container's own environment. */
#ifndef SWARMTS_PROCESS_H
#define SWARMTS_PROCESS_H

#include "error.h"
#include "spec.h"

/* Applies everything and execs; returns only on failure. */
int process_exec (const struct process_spec *process, json_object *seccomp, struct error *err);
/* Fails, naming it, when args[0] cannot be found in the container (run after pivot_root),
 * so that `create` reports a missing program instead of the container dying at `start`. */
int process_check_executable (const struct process_spec *process, struct error *err);
/* Writes /proc/<pid>/oom_score_adj when the spec sets one. */
int process_set_oom_score (pid_t pid, const struct process_spec *process, struct error *err);

#endif
