/* Errors crun-style: every fallible function returns a negative int and fills a
 * struct error with errno and a message naming the object, e.g.
 * "mount `proc` on `/run/x/rootfs/proc`: Operation not permitted". */
#ifndef SWARMTS_ERROR_H
#define SWARMTS_ERROR_H

#include <stddef.h>

struct error {
  int errnum;           /* errno at the failure, 0 when not a system error */
  char message[1024];
};

/* Records a failure with the current errno appended; returns -1. */
int fail_errno (struct error *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Records a failure that is not a system call's; returns -1. */
int fail (struct error *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Where error lines go: stderr always, plus the --log file (text or json) when set. */
void error_set_log (const char *path, int json);
void error_report (const struct error *err);
void log_line (const char *level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#endif
