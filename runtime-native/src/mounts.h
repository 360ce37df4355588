/* The container's filesystem view, built inside its new mount namespace: the root and the
 * spec's mounts, a minimal /dev, pivot_root, then masked and read-only paths. */
#ifndef SWARMTS_MOUNTS_H
#define SWARMTS_MOUNTS_H

#include "error.h"
#include "spec.h"

/* Everything up to and including pivot_root, except cgroup mounts; afterwards "/" is the
 * container's root. Needs no cgroup: it runs while the parent is still creating it. */
int mounts_setup_rootfs (const struct spec *spec, struct error *err);
/* The spec's cgroup mounts, after pivot_root: run once the process is in its cgroup and
 * has its cgroup namespace, which decide what those mounts show. */
int mounts_cgroup (const struct spec *spec, struct error *err);
/* maskedPaths, readonlyPaths, and root.readonly: run after pivot_root. */
int mounts_finish (const struct spec *spec, struct error *err);

#endif
