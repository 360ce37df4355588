/* cgroups v1 (one hierarchy per controller, as on this machine) and v2 (unified), detected
 * from the filesystem type of /sys/fs/cgroup. `path` is linux.cgroupsPath, relative to
 * each hierarchy's root (cgroupfs style, e.g. /swarmts/node-a/<id>). */
#ifndef SWARMTS_CGROUP_H
#define SWARMTS_CGROUP_H

#include "error.h"
#include "spec.h"
#include <sys/types.h>

/* 1 or 2. */
int cgroup_version (void);
/* Creates the cgroup (and its parents) and applies the limits. */
int cgroup_prepare (const char *path, const struct resources_spec *resources, struct error *err);
/* A prepared v2 cgroup's directory, opened for clone3's CLONE_INTO_CGROUP. */
int cgroup_open_v2 (const char *path, struct error *err);
/* cgroup_prepare, then moves `pid` into the cgroup. */
int cgroup_create (const char *path, const struct resources_spec *resources, pid_t pid, struct error *err);
/* Moves `pid` into an existing cgroup (exec). */
int cgroup_enter (const char *path, pid_t pid, struct error *err);
/* Sends `signo` to every process in the cgroup; returns how many were signalled. */
int cgroup_signal_all (const char *path, int signo);
/* SIGKILLs whatever is left and removes the cgroup from every hierarchy. Missing is fine. */
int cgroup_destroy (const char *path, struct error *err);
/* The directory of `path` in the hierarchy holding `controller` ("memory", "pids", ...). */
char *cgroup_dir (const char *path, const char *controller);

#endif
