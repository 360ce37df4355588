#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void
cleanup_freep (void *p)
{
  free (*(void **) p);
}

void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

int
write_file (const char *path, const char *data, size_t len, struct error *err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return fail_errno (err, "open `%s`", path);
  ssize_t n = write (fd, data, len);
  if (n < 0 || (size_t) n != len)
    return fail_errno (err, "write `%.*s` to `%s`", (int) (len > 64 ? 64 : len), data, path);
  return 0;
}

int
write_string (const char *path, const char *value, struct error *err)
{
  return write_file (path, value, strlen (value), err);
}

int
write_file_atomic (const char *path, const char *data, size_t len, struct error *err)
{
  cleanup_free char *tmp = xasprintf ("%s.tmp.%d", path, getpid ());
  cleanup_close int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail_errno (err, "create `%s`", tmp);
  size_t done = 0;
  while (done < len)
    {
      ssize_t n = write (fd, data + done, len - done);
      if (n < 0)
        {
          unlink (tmp);
          return fail_errno (err, "write `%s`", tmp);
        }
      done += n;
    }
  if (rename (tmp, path) < 0)
    {
      int saved = errno;
      unlink (tmp);
      errno = saved;
      return fail_errno (err, "save `%s`", path);
    }
  return 0;
}

int
read_file (const char *path, char **out, size_t *len, struct error *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail_errno (err, "open `%s`", path);
  size_t cap = 4096, used = 0;
  char *buf = malloc (cap + 1);
  if (buf == NULL)
    abort ();
  for (;;)
    {
      ssize_t n = read (fd, buf + used, cap - used);
      if (n < 0)
        {
          free (buf);
          return fail_errno (err, "read `%s`", path);
        }
      if (n == 0)
        break;
      used += n;
      if (used == cap)
        {
          cap *= 2;
          buf = realloc (buf, cap + 1);
          if (buf == NULL)
            abort ();
        }
    }
  buf[used] = '\0';
  *out = buf;
  if (len)
    *len = used;
  return 0;
}

int
mkdir_p (const char *path, mode_t mode, struct error *err)
{
  /* The common case is one missing leaf (or none): try it before walking from the top. */
  if (mkdir (path, mode) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return fail_errno (err, "mkdir `%s`", path);
  cleanup_free char *parent = xstrdup (path);
  char *slash = strrchr (parent, '/');
  if (slash == NULL || slash == parent)
    return fail_errno (err, "mkdir `%s`", path);
  *slash = '\0';
  if (mkdir_p (parent, mode, err) < 0)
    return -1;
  if (mkdir (path, mode) < 0 && errno != EEXIST)
    return fail_errno (err, "mkdir `%s`", path);
  return 0;
}

char *
xasprintf (const char *fmt, ...)
{
  char *out;
  va_list ap;
  va_start (ap, fmt);
  int n = vasprintf (&out, fmt, ap);
  va_end (ap);
  if (n < 0)
    abort ();
  return out;
}

char *
xstrdup (const char *s)
{
  char *out = strdup (s);
  if (out == NULL)
    abort ();
  return out;
}

void *
xcalloc (size_t n, size_t size)
{
  void *out = calloc (n ? n : 1, size ? size : 1);
  if (out == NULL)
    abort ();
  return out;
}

void
now_rfc3339 (char *buf, size_t size)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  size_t n = strftime (buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

unsigned long long
process_stat (pid_t pid, char *state)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* The command name may hold spaces and parentheses: count fields after the last ')'. */
  char *p = strrchr (buf, ')');
  if (p == NULL || p[1] == '\0')
    return 0;
  if (state)
    *state = p[2];
  int field = 2;
  for (; *p && field < 22; p++)
    if (*p == ' ')
      field++;
  return strtoull (p, NULL, 10);
}
