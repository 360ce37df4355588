/* Creating a container: the clone into new namespaces, the handshake with the child while
 * the parent puts it into its cgroup, and the child's set-up up to execve. */
#ifndef SWARMTS_CONTAINER_H
#define SWARMTS_CONTAINER_H

#include "error.h"
#include "spec.h"
#include <sys/types.h>

struct create_options {
  const char *root;
  const char *id;
  const char *pid_file; /* NULL for none */
  /* 1 for `create`: the init waits on exec.fifo until `start`. 0 for `run`: it execs at once. */
  int wait_for_start;
};

/* Creates the container; on success *pid is its init's pid (our child) and the state is saved.
 * On failure nothing is left behind: no process, cgroup or state. */
int container_create (const struct create_options *options, const struct spec *spec, pid_t *pid, struct error *err);
/* The cgroup path the container uses: linux.cgroupsPath, or /swarmts-runtime/<id>. */
char *container_cgroup_path (const struct spec *spec, const char *id);

#endif
