#include "cgroup.h"
#include "commands.h"
#include "spec.h"
#include "state.h"
#include <getopt.h>
#include <signal.h>
#include <string.h>

int
cmd_kill (const struct global_options *g, int argc, char **argv)
{
  struct error err = { 0 };
  static const struct option options[] = { { "all", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 } };
  int all = 0, c;
  optind = 0;
  while ((c = getopt_long (argc, argv, "+a", options, NULL)) != -1)
    if (c == 'a')
      all = 1;
    else
      return fail (&err, "kill: usage: kill [--all] ID [SIGNAL]"), report (&err);
  if (optind >= argc || argc - optind > 2)
    return fail (&err, "kill: usage: kill [--all] ID [SIGNAL]"), report (&err);
  const char *name = argc - optind == 2 ? argv[optind + 1] : "SIGTERM";
  int signo = signal_from_name (name);
  if (signo < 0)
    return fail (&err, "kill: unknown signal `%s` (use a name like SIGTERM or a number)", name), report (&err);
  struct container_state s;
  if (state_load (g->root, argv[optind], &s, &err) < 0)
    return report (&err);
  if (strcmp (state_status (g->root, &s), "stopped") == 0)
    return fail (&err, "container `%s` is not running", s.id), report (&err);
  if (all)
    cgroup_signal_all (s.cgroup_path, signo);
  else if (kill (s.pid, signo) < 0)
    return fail_errno (&err, "kill container `%s` (pid %d) with signal %d", s.id, s.pid, signo), report (&err);
  return 0;
}
