#include "commands.h"
#include "state.h"
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

int
cmd_state (const struct global_options *g, int argc, char **argv)
{
  struct error err = { 0 };
  if (argc != 2)
    return fail (&err, "state: expected exactly one container id"), report (&err);
  struct container_state s;
  if (state_load (g->root, argv[1], &s, &err) < 0)
    return report (&err);
  const char *status = state_status (g->root, &s);
  json_object *obj = json_object_new_object ();
  json_object_object_add (obj, "ociVersion", json_object_new_string ("1.1.0"));
  json_object_object_add (obj, "id", json_object_new_string (s.id));
  json_object_object_add (obj, "status", json_object_new_string (status));
  json_object_object_add (obj, "pid", json_object_new_int (strcmp (status, "stopped") == 0 ? 0 : s.pid));
  json_object_object_add (obj, "bundle", json_object_new_string (s.bundle));
  json_object_object_add (obj, "created", json_object_new_string (s.created));
  json_object_object_add (obj, "annotations", json_tokener_parse (s.annotations_json));
  puts (json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (obj);
  return 0;
}
