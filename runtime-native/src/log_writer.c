#include "log_writer.h"
#include "util.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int
log_open (struct log_writer *w, const char *path, long long bytes_max, int files_max, struct error *err)
{
  memset (w, 0, sizeof *w);
  w->path = xstrdup (path);
  w->bytes_max = bytes_max;
  w->files_max = files_max < 1 ? 1 : files_max;
  w->out.name = "stdout";
  w->err.name = "stderr";
  w->fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (w->fd < 0)
    return fail_errno (err, "open log `%s`", path);
  struct stat st;
  w->size = fstat (w->fd, &st) == 0 ? st.st_size : 0;
  return 0;
}

static void
rotate (struct log_writer *w)
{
  close (w->fd);
  if (w->files_max == 1)
    {
      w->fd = open (w->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
      w->size = 0;
      return;
    }
  for (int i = w->files_max - 1; i >= 1; i--)
    {
      cleanup_free char *from = i == 1 ? xstrdup (w->path) : xasprintf ("%s.%d", w->path, i - 1);
      cleanup_free char *to = xasprintf ("%s.%d", w->path, i);
      rename (from, to);
    }
  w->fd = open (w->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
  w->size = 0;
}

static void
write_record (struct log_writer *w, const char *stream, char tag, const char *text, size_t len)
{
  char head[96];
  now_rfc3339 (head, 64);
  size_t head_len = strlen (head);
  head_len += snprintf (head + head_len, sizeof head - head_len, " %s %c ", stream, tag);
  long long record = (long long) (head_len + len + 1);
  if (w->bytes_max > 0 && w->size > 0 && w->size + record > w->bytes_max)
    rotate (w);
  if (w->fd < 0)
    return;
  struct iovec iov[3] = { { head, head_len }, { (void *) text, len }, { "\n", 1 } };
  ssize_t n = writev (w->fd, iov, 3);
  if (n > 0)
    w->size += n;
}

void
log_write (struct log_writer *w, struct log_stream *s, const char *data, size_t len)
{
  for (size_t i = 0; i < len; i++)
    {
      if (data[i] == '\n')
        {
          write_record (w, s->name, 'F', s->buf, s->used);
          s->used = 0;
          continue;
        }
      s->buf[s->used++] = data[i];
      if (s->used == sizeof s->buf)
        {
          write_record (w, s->name, 'P', s->buf, s->used);
          s->used = 0;
        }
    }
}

void
log_flush (struct log_writer *w)
{
  struct log_stream *streams[2] = { &w->out, &w->err };
  for (int i = 0; i < 2; i++)
    if (streams[i]->used > 0)
      {
        write_record (w, streams[i]->name, 'F', streams[i]->buf, streams[i]->used);
        streams[i]->used = 0;
      }
}
