#include "process.h"
#include "caps.h"
#include "seccomp.h"
#include "util.h"
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

int
process_set_oom_score (pid_t pid, const struct process_spec *process, struct error *err)
{
  if (!process->has_oom_score_adj)
    return 0;
  char path[64], value[16];
  snprintf (path, sizeof path, "/proc/%d/oom_score_adj", pid);
  snprintf (value, sizeof value, "%d", process->oom_score_adj);
  return write_string (path, value, err);
}

static const char *
env_path (char **env)
{
  for (char **e = env; *e; e++)
    if (strncmp (*e, "PATH=", 5) == 0)
      return *e + 5;
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

int
process_check_executable (const struct process_spec *p, struct error *err)
{
  const char *program = p->args[0];
  if (strchr (program, '/'))
    return access (program, X_OK) == 0 ? 0 : fail_errno (err, "executable `%s`", program);
  cleanup_free char *copy = xstrdup (env_path (p->env));
  char *save = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char candidate[4096];
      snprintf (candidate, sizeof candidate, "%s/%s", dir, program);
      if (access (candidate, X_OK) == 0)
        return 0;
    }
  return fail (err, "executable `%s` not found in the container's PATH (%s)", program, env_path (p->env));
}

/* execve of args[0], searched in the PATH of the container's environment (not ours). */
static int
exec_in_path (char **args, char **env, struct error *err)
{
  const char *program = args[0];
  if (strchr (program, '/'))
    {
      execve (program, args, env);
      return fail_errno (err, "exec `%s`", program);
    }
  const char *path = env_path (env);
  int saved = ENOENT;
  cleanup_free char *copy = xstrdup (path);
  char *save = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char candidate[4096];
      snprintf (candidate, sizeof candidate, "%s/%s", dir, program);
      execve (candidate, args, env);
      if (errno != ENOENT && errno != ENOTDIR)
        saved = errno;
    }
  errno = saved;
  return fail_errno (err, "exec `%s` (searched PATH=%s)", program, path);
}

int
process_exec (const struct process_spec *p, json_object *seccomp, struct error *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    if (setrlimit (p->rlimits[i].resource, &p->rlimits[i].limit) < 0)
      return fail_errno (err, "setrlimit `%s` to %llu/%llu", p->rlimits[i].name, (unsigned long long) p->rlimits[i].limit.rlim_cur, (unsigned long long) p->rlimits[i].limit.rlim_max);
  /* Without no_new_privs the kernel takes a filter only from a process with CAP_SYS_ADMIN:
   * load it now, while still root; with it, load it last, right before execve. */
  if (!p->no_new_privileges && seccomp_load_spec (seccomp, 0, err) < 0)
    return -1;
  if (caps_drop_bounding (&p->caps, err) < 0)
    return -1;
  if (setgroups (p->n_additional_gids, p->additional_gids) < 0)
    return fail_errno (err, "setgroups");
  if (setresgid (p->gid, p->gid, p->gid) < 0)
    return fail_errno (err, "setgid %d", (int) p->gid);
  if (setresuid (p->uid, p->uid, p->uid) < 0)
    return fail_errno (err, "setuid %d", (int) p->uid);
  if (caps_set (&p->caps, err) < 0)
    return -1;
  if (chdir (p->cwd) < 0)
    return fail_errno (err, "chdir to the working directory `%s`", p->cwd);
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return fail_errno (err, "prctl PR_SET_NO_NEW_PRIVS");
  if (p->no_new_privileges && seccomp_load_spec (seccomp, 1, err) < 0)
    return -1;
  return exec_in_path (p->args, p->env, err);
}
