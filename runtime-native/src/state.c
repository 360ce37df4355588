#include "state.h"
#include "util.h"
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
state_dir (const char *root, const char *id)
{
  return xasprintf ("%s/%s", root, id);
}

char *
state_fifo (const char *root, const char *id)
{
  return xasprintf ("%s/%s/exec.fifo", root, id);
}

int
state_check_id (const char *id, struct error *err)
{
  size_t n = strlen (id);
  if (n == 0 || n > 128)
    return fail (err, "container id `%s`: expected 1 to 128 characters", id);
  for (size_t i = 0; i < n; i++)
    {
      char c = id[i];
      int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '.' || c == '-'));
      if (!ok)
        return fail (err, "container id `%s`: use letters, digits, `_`, `.` and `-`, starting with a letter or digit", id);
    }
  return 0;
}

int
state_dir_create (const char *root, const char *id, struct error *err)
{
  if (mkdir_p (root, 0700, err) < 0)
    return -1;
  cleanup_free char *dir = state_dir (root, id);
  if (mkdir (dir, 0700) < 0)
    {
      if (errno == EEXIST)
        return fail (err, "container `%s` already exists (state in `%s`); delete it first", id, dir);
      return fail_errno (err, "mkdir `%s`", dir);
    }
  return 0;
}

int
state_save (const char *root, const struct container_state *s, struct error *err)
{
  json_object *obj = json_object_new_object ();
  json_object_object_add (obj, "ociVersion", json_object_new_string ("1.1.0"));
  json_object_object_add (obj, "id", json_object_new_string (s->id));
  json_object_object_add (obj, "pid", json_object_new_int (s->pid));
  json_object_object_add (obj, "pidStartTime", json_object_new_uint64 (s->pid_start_time));
  json_object_object_add (obj, "bundle", json_object_new_string (s->bundle));
  json_object_object_add (obj, "created", json_object_new_string (s->created));
  json_object_object_add (obj, "cgroupPath", json_object_new_string (s->cgroup_path ? s->cgroup_path : ""));
  json_object_object_add (obj, "annotations", json_tokener_parse (s->annotations_json ? s->annotations_json : "{}"));
  const char *text = json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  cleanup_free char *path = xasprintf ("%s/%s/state.json", root, s->id);
  int ret = write_file_atomic (path, text, strlen (text), err);
  json_object_put (obj);
  return ret;
}

static char *
dup_member (json_object *obj, const char *key, const char *fallback)
{
  json_object *v;
  return xstrdup (json_object_object_get_ex (obj, key, &v) && json_object_get_string (v) ? json_object_get_string (v) : fallback);
}

int
state_load (const char *root, const char *id, struct container_state *s, struct error *err)
{
  memset (s, 0, sizeof *s);
  if (state_check_id (id, err) < 0)
    return -1;
  cleanup_free char *path = xasprintf ("%s/%s/state.json", root, id);
  cleanup_free char *text = NULL;
  if (read_file (path, &text, NULL, err) < 0)
    {
      if (err->errnum == ENOENT)
        {
          fail (err, "container `%s` does not exist (no state in `%s`)", id, root);
          err->errnum = ENOENT; /* lets `delete --force` treat it as done */
          return -1;
        }
      return -1;
    }
  json_object *obj = json_tokener_parse (text);
  if (obj == NULL)
    return fail (err, "state of container `%s` (`%s`) is not valid JSON", id, path);
  json_object *v;
  s->id = xstrdup (id);
  s->pid = json_object_object_get_ex (obj, "pid", &v) ? json_object_get_int (v) : 0;
  s->pid_start_time = json_object_object_get_ex (obj, "pidStartTime", &v) ? json_object_get_uint64 (v) : 0;
  s->bundle = dup_member (obj, "bundle", "");
  s->created = dup_member (obj, "created", "");
  s->cgroup_path = dup_member (obj, "cgroupPath", "");
  s->annotations_json = xstrdup (json_object_object_get_ex (obj, "annotations", &v) ? json_object_to_json_string_ext (v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : "{}");
  json_object_put (obj);
  return 0;
}

const char *
state_status (const char *root, const struct container_state *s)
{
  char proc_state = 0;
  if (s->pid <= 0 || process_stat (s->pid, &proc_state) != s->pid_start_time || proc_state == 'Z' || proc_state == 'X')
    return "stopped";
  cleanup_free char *fifo = state_fifo (root, s->id);
  return access (fifo, F_OK) == 0 ? "created" : "running";
}

void
state_remove (const char *root, const char *id)
{
  cleanup_free char *dir = state_dir (root, id);
  cleanup_free char *state = xasprintf ("%s/state.json", dir);
  cleanup_free char *fifo = state_fifo (root, id);
  unlink (state);
  unlink (fifo);
  rmdir (dir);
}
