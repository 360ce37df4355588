/* A container's output as CRI log records (`<RFC3339Nano> <stdout|stderr> <F|P> <text>`),
 * in a file rotated by size: F, F.1 ... F.<files-1>, the highest number the oldest. */
#ifndef SWARMTS_LOG_WRITER_H
#define SWARMTS_LOG_WRITER_H

#include "error.h"
#include <stddef.h>

/* A line longer than this is written as partial (P) records of this size. */
#define LOG_LINE_BYTES_MAX (16 * 1024)

struct log_stream {
  const char *name; /* "stdout" or "stderr" */
  char buf[LOG_LINE_BYTES_MAX];
  size_t used;
};

struct log_writer {
  char *path;
  int fd;
  long long size;
  long long bytes_max; /* rotate when a record would pass this; 0 never rotates */
  int files_max;       /* files kept, the current one included; at least 1 */
  struct log_stream out, err;
};

int log_open (struct log_writer *w, const char *path, long long bytes_max, int files_max, struct error *err);
/* Appends output of one stream; whole lines become F records, over-long ones P records. */
void log_write (struct log_writer *w, struct log_stream *s, const char *data, size_t len);
/* Writes what is left of unfinished lines (at the end of the container). */
void log_flush (struct log_writer *w);

#endif
