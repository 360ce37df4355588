#include "cgroup.h"
#include "commands.h"
#include "container.h"
#include "state.h"
#include "util.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

int parse_create_args (int argc, char **argv, const char **bundle, const char **pid_file, int *detach, const char **id, struct error *err);

static volatile pid_t forward_to;

static void
forward_signal (int signo)
{
  if (forward_to > 0)
    kill (forward_to, signo);
}

/* create + start in one step; without --detach also wait, delete, and exit with the
 * container's code (128+N when signal N killed it). */
int
cmd_run (const struct global_options *g, int argc, char **argv)
{
  struct error err = { 0 };
  const char *bundle, *pid_file, *id;
  int detach;
  if (parse_create_args (argc, argv, &bundle, &pid_file, &detach, &id, &err) < 0)
    return report (&err);
  struct spec spec;
  if (spec_load (bundle, &spec, &err) < 0)
    return report (&err);
  struct create_options o = { .root = g->root, .id = id, .pid_file = pid_file, .wait_for_start = 0 };
  pid_t pid;
  if (container_create (&o, &spec, &pid, &err) < 0)
    return report (&err);
  if (detach)
    return 0;
  forward_to = pid;
  struct sigaction sa = { .sa_handler = forward_signal };
  sigemptyset (&sa.sa_mask);
  static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaction (forwarded[i], &sa, NULL);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  cleanup_free char *cgroup_path = container_cgroup_path (&spec, id);
  if (cgroup_destroy (cgroup_path, &err) < 0)
    report (&err);
  state_remove (g->root, id);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
