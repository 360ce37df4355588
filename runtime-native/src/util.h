/* Small helpers shared by the runtime and the monitor: scope-end cleanup, files, paths. */
#ifndef SWARMTS_UTIL_H
#define SWARMTS_UTIL_H

#include "error.h"
#include <stddef.h>
#include <sys/types.h>

void cleanup_freep (void *p);
void cleanup_closep (int *fd);
#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))

/* Writes `len` bytes to an existing file (a cgroup or /proc knob), naming it on failure. */
int write_file (const char *path, const char *data, size_t len, struct error *err);
/* Like write_file with a string. */
int write_string (const char *path, const char *value, struct error *err);
/* Writes a whole file atomically: temp file in the same directory, then rename. No fsync:
 * readers need only see the whole file or none, and what we write this way (state, pid
 * and exit files) describes processes that a power loss ends anyway. */
int write_file_atomic (const char *path, const char *data, size_t len, struct error *err);
/* Reads a whole file into a NUL-terminated malloc'd buffer. */
int read_file (const char *path, char **out, size_t *len, struct error *err);
/* mkdir -p with the given mode. */
int mkdir_p (const char *path, mode_t mode, struct error *err);
/* asprintf that aborts on out-of-memory (a broken invariant here, not an operating error). */
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
char *xstrdup (const char *s);
void *xcalloc (size_t n, size_t size);
/* RFC 3339 UTC time with nanoseconds into buf (at least 40 bytes). */
void now_rfc3339 (char *buf, size_t size);
/* The start time (field 22 of /proc/PID/stat) and state letter (field 3) of a process;
 * returns 0 and sets start to 0 when it is gone. */
unsigned long long process_stat (pid_t pid, char *state);

#endif
