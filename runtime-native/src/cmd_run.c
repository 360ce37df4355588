#include "cgroup.h"
#include "commands.h"
#include "container.h"
#include "state.h"
#include "util.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

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
  struct created c;
  int code = create_from_args (g, argc, argv, 0, &c);
  if (code != 0 || c.detach)
    return code;
  forward_to = c.pid;
  struct sigaction sa = { .sa_handler = forward_signal };
  sigemptyset (&sa.sa_mask);
  static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaction (forwarded[i], &sa, NULL);
  int status = 0;
  while (waitpid (c.pid, &status, 0) < 0 && errno == EINTR)
    ;
  cleanup_free char *cgroup_path = container_cgroup_path (&c.spec, c.id);
  if (cgroup_destroy (cgroup_path, &err) < 0)
    report (&err);
  state_remove (g->root, c.id);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
