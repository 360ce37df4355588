#include "cgroup.h"
#include "commands.h"
#include "state.h"
#include <errno.h>
#include <getopt.h>
#include <string.h>

int
cmd_delete (const struct global_options *g, int argc, char **argv)
{
  struct error err = { 0 };
  static const struct option options[] = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  int force = 0, c;
  optind = 0;
  while ((c = getopt_long (argc, argv, "+f", options, NULL)) != -1)
    if (c == 'f')
      force = 1;
    else
      return fail (&err, "delete: usage: delete [--force] ID"), report (&err);
  if (optind != argc - 1)
    return fail (&err, "delete: usage: delete [--force] ID"), report (&err);
  struct container_state s;
  /* Like runc and crun, a forced delete of a container that is not there succeeds. */
  if (state_load (g->root, argv[optind], &s, &err) < 0)
    return force && err.errnum == ENOENT ? 0 : report (&err);
  const char *status = state_status (g->root, &s);
  if (strcmp (status, "stopped") != 0 && !force)
    return fail (&err, "container `%s` is %s: stop it first, or delete with --force", s.id, status), report (&err);
  if (s.cgroup_path[0] && cgroup_destroy (s.cgroup_path, &err) < 0)
    return report (&err);
  state_remove (g->root, s.id);
  return 0;
}
