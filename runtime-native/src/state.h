/* A container's record under --root: <root>/<id>/state.json and, until `start`,
 * <root>/<id>/exec.fifo on which the container's init waits. */
#ifndef SWARMTS_STATE_H
#define SWARMTS_STATE_H

#include "error.h"
#include <sys/types.h>

struct container_state {
  char *id;
  pid_t pid;
  unsigned long long pid_start_time; /* detects a recycled pid */
  char *bundle;
  char *created;                     /* RFC 3339 */
  char *cgroup_path;                 /* cgroupsPath as applied, "" when none */
  char *annotations_json;            /* the spec's annotations object, "{}" when none */
};

/* "created", "running" or "stopped", from the process and the fifo. */
const char *state_status (const char *root, const struct container_state *state);
int state_dir_create (const char *root, const char *id, struct error *err);
char *state_dir (const char *root, const char *id);
char *state_fifo (const char *root, const char *id);
int state_save (const char *root, const struct container_state *state, struct error *err);
/* Loads the state of `id`; fails naming the id when there is none. */
int state_load (const char *root, const char *id, struct container_state *state, struct error *err);
/* Removes the container's state directory. */
void state_remove (const char *root, const char *id);
/* Checks an id: [a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}. */
int state_check_id (const char *id, struct error *err);

#endif
