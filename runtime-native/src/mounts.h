/* The container's filesystem view, built inside its new mount namespace: the root and the
 * spec's mounts, a minimal /dev, pivot_root, then masked and read-only paths. */
#ifndef SWARMTS_MOUNTS_H
#define SWARMTS_MOUNTS_H

#include "error.h"
#include "spec.h"

/* Everything up to and including pivot_root; afterwards "/" is the container's root. */
int mounts_setup_rootfs (const struct spec *spec, struct error *err);
/* maskedPaths, readonlyPaths, and root.readonly: run after pivot_root. */
int mounts_finish (const struct spec *spec, struct error *err);

#endif
