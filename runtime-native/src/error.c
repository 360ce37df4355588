#include "error.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *log_path;
static int log_json;

int
fail_errno (struct error *err, const char *fmt, ...)
{
  int saved = errno;
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (err->message, sizeof err->message, fmt, ap);
  va_end (ap);
  if (n >= 0 && (size_t) n < sizeof err->message)
    snprintf (err->message + n, sizeof err->message - n, ": %s", strerror (saved));
  err->errnum = saved;
  errno = saved;
  return -1;
}

int
fail (struct error *err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (err->message, sizeof err->message, fmt, ap);
  va_end (ap);
  err->errnum = 0;
  return -1;
}

void
error_set_log (const char *path, int json)
{
  log_path = path;
  log_json = json;
}

static void
write_json_string (FILE *f, const char *s)
{
  fputc ('"', f);
  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        fprintf (f, "\\%c", c);
      else if (c < 0x20)
        fprintf (f, "\\u%04x", c);
      else
        fputc (c, f);
    }
  fputc ('"', f);
}

static void
write_log (const char *level, const char *msg)
{
  if (log_path == NULL)
    return;
  FILE *f = fopen (log_path, "ae");
  if (f == NULL)
    return;
  char when[64];
  time_t now = time (NULL);
  struct tm tm;
  strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r (&now, &tm));
  if (log_json)
    {
      fprintf (f, "{\"level\":\"%s\",\"time\":\"%s\",\"msg\":", level, when);
      write_json_string (f, msg);
      fputs ("}\n", f);
    }
  else
    fprintf (f, "%s %s: %s\n", when, level, msg);
  fclose (f);
}

void
error_report (const struct error *err)
{
  fprintf (stderr, "swarmts-runtime: %s\n", err->message);
  write_log ("error", err->message);
}

void
log_line (const char *level, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  write_log (level, msg);
}
