/* One function per command; each parses its own options and returns the exit code. */
#ifndef SWARMTS_COMMANDS_H
#define SWARMTS_COMMANDS_H

#include "error.h"
#include "spec.h"
#include <sys/types.h>

struct global_options {
  const char *root;
};

int cmd_create (const struct global_options *g, int argc, char **argv);
int cmd_start (const struct global_options *g, int argc, char **argv);
int cmd_run (const struct global_options *g, int argc, char **argv);
int cmd_state (const struct global_options *g, int argc, char **argv);
int cmd_kill (const struct global_options *g, int argc, char **argv);
int cmd_delete (const struct global_options *g, int argc, char **argv);
int cmd_exec (const struct global_options *g, int argc, char **argv);
int cmd_list (const struct global_options *g, int argc, char **argv);
int cmd_spec (const struct global_options *g, int argc, char **argv);

/* What create and run share: parse `[--bundle B] [--pid-file F] [--detach] ID`, load the
 * bundle, create the container (waiting for `start` or not). Returns the exit code. */
struct created {
  const char *id;
  int detach;
  struct spec spec;
  pid_t pid;
};
int create_from_args (const struct global_options *g, int argc, char **argv, int wait_for_start, struct created *out);

/* Prints the error (stderr and --log) and returns 1. */
int report (const struct error *err);

#endif
