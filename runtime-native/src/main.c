/* swarmts-runtime: an OCI runtime. Its command line follows runc's and crun's, so that
 * either can stand in for it: `swarmts-runtime [--root DIR] [--log FILE]
 * [--log-format text|json] COMMAND [OPTIONS] ID`. */
#include "commands.h"
#include "error.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const struct { const char *name; int (*run) (const struct global_options *, int, char **); } commands[] = {
  { "create", cmd_create }, { "start", cmd_start }, { "run", cmd_run }, { "state", cmd_state },
  { "kill", cmd_kill }, { "delete", cmd_delete }, { "exec", cmd_exec }, { "list", cmd_list }, { "spec", cmd_spec },
};

static void
usage (FILE *out)
{
  fputs ("usage: swarmts-runtime [--root DIR] [--log FILE] [--log-format text|json] COMMAND [OPTIONS] ID\n"
         "commands: create start run state kill delete exec list spec\n", out);
}

int
report (const struct error *err)
{
  error_report (err);
  return 1;
}

int
main (int argc, char **argv)
{
  struct global_options g = { .root = "/run/swarmts-runtime" };
  static const struct option options[] = {
    { "root", required_argument, NULL, 'r' }, { "log", required_argument, NULL, 'l' },
    { "log-format", required_argument, NULL, 'f' }, { "systemd-cgroup", no_argument, NULL, 's' },
    { "debug", no_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  const char *log_path = NULL;
  int json = 0, c;
  while ((c = getopt_long (argc, argv, "+h", options, NULL)) != -1)
    switch (c)
      {
      case 'r': g.root = optarg; break;
      case 'l': log_path = optarg; break;
      case 'f':
        if (strcmp (optarg, "json") != 0 && strcmp (optarg, "text") != 0)
          {
            fprintf (stderr, "swarmts-runtime: --log-format: expected text or json, got `%s`\n", optarg);
            return 2;
          }
        json = strcmp (optarg, "json") == 0;
        break;
      case 's': case 'd': break; /* accepted for compatibility; cgroupfs paths only */
      case 'h': usage (stdout); return 0;
      case 'v': puts ("swarmts-runtime version 0.1.0\nspec: 1.1.0"); return 0;
      default: usage (stderr); return 2;
      }
  error_set_log (log_path, json);
  if (optind >= argc)
    {
      usage (stderr);
      return 2;
    }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (commands[i].name, argv[optind]) == 0)
      {
        optind++;
        return commands[i].run (&g, argc - optind + 1, argv + optind - 1);
      }
  fprintf (stderr, "swarmts-runtime: unknown command `%s`\n", argv[optind]);
  usage (stderr);
  return 2;
}
