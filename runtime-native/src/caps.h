/* Capabilities: the bounding set is dropped before the user changes, the other sets are
 * set after (with PR_SET_KEEPCAPS across the change), ambient ones raised last. */
#ifndef SWARMTS_CAPS_H
#define SWARMTS_CAPS_H

#include "error.h"
#include "spec.h"

int caps_drop_bounding (const struct caps_spec *caps, struct error *err);
int caps_set (const struct caps_spec *caps, struct error *err);

#endif
