/* linux.seccomp from the spec, compiled with libseccomp and loaded just before execve. */
#ifndef SWARMTS_SECCOMP_H
#define SWARMTS_SECCOMP_H

#include "error.h"
#include <json-c/json.h>

/* Loads the filter described by `seccomp` (NULL: no filter). With `set_no_new_privs` 0
 * the caller must still hold CAP_SYS_ADMIN. */
int seccomp_load_spec (json_object *seccomp, int set_no_new_privs, struct error *err);

#endif
