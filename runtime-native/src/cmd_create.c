#include "commands.h"
#include "container.h"
#include "error.h"
#include "spec.h"
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

/* Options create and run share: --bundle, --pid-file, --detach, and the id. */
static int
parse_create_args (int argc, char **argv, const char **bundle, const char **pid_file, int *detach, const char **id, struct error *err)
{
  static const struct option options[] = {
    { "bundle", required_argument, NULL, 'b' }, { "pid-file", required_argument, NULL, 'p' },
    { "detach", no_argument, NULL, 'd' }, { "console-socket", required_argument, NULL, 'c' },
    { "no-pivot", no_argument, NULL, 'n' }, { "no-new-keyring", no_argument, NULL, 'k' },
    { NULL, 0, NULL, 0 },
  };
  *bundle = ".";
  *pid_file = NULL;
  *detach = 0;
  optind = 0;
  int c;
  while ((c = getopt_long (argc, argv, "+b:d", options, NULL)) != -1)
    switch (c)
      {
      case 'b': *bundle = optarg; break;
      case 'p': *pid_file = optarg; break;
      case 'd': *detach = 1; break;
      case 'c': return fail (err, "--console-socket: terminals are not supported; give the container pipes or files");
      case 'n': case 'k': break;
      default: return fail (err, "%s: bad option (see --help of runc for the shape)", argv[0]);
      }
  if (optind != argc - 1)
    return fail (err, "%s: expected exactly one container id after the options", argv[0]);
  *id = argv[optind];
  return 0;
}

int
create_from_args (const struct global_options *g, int argc, char **argv, int wait_for_start, struct created *out)
{
  struct error err = { 0 };
  const char *bundle, *pid_file;
  if (parse_create_args (argc, argv, &bundle, &pid_file, &out->detach, &out->id, &err) < 0)
    return report (&err);
  if (spec_load (bundle, &out->spec, &err) < 0)
    return report (&err);
  struct create_options o = { .root = g->root, .id = out->id, .pid_file = pid_file, .wait_for_start = wait_for_start };
  if (container_create (&o, &out->spec, &out->pid, &err) < 0)
    return report (&err);
  return 0;
}

int
cmd_create (const struct global_options *g, int argc, char **argv)
{
  struct created created;
  return create_from_args (g, argc, argv, 1, &created);
}
