/* Namespaces: which to create at clone, and joining the ones given by path. */
#ifndef SWARMTS_NAMESPACES_H
#define SWARMTS_NAMESPACES_H

#include "error.h"
#include "spec.h"

/* CLONE_NEW* flags for the namespaces the spec wants created, except cgroup, which is
 * unshared only once the process is inside its cgroup (so that it becomes the root). */
int namespaces_clone_flags (const struct spec *spec);
/* Joins every namespace the spec gives a path for. */
int namespaces_join_paths (const struct spec *spec, struct error *err);

#endif
