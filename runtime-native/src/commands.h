/* One function per command; each parses its own options and returns the exit code. */
#ifndef SWARMTS_COMMANDS_H
#define SWARMTS_COMMANDS_H

#include "error.h"

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

/* Prints the error (stderr and --log) and returns 1. */
int report (const struct error *err);

#endif
