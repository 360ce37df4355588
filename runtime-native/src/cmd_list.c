#include "commands.h"
#include "state.h"
#include <dirent.h>
#include <stdio.h>

int
cmd_list (const struct global_options *g, int argc, char **argv)
{
  DIR *dir = opendir (g->root);
  printf ("%-24s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
  if (dir == NULL)
    return 0;
  struct dirent *entry;
  while ((entry = readdir (dir)) != NULL)
    {
      if (entry->d_name[0] == '.')
        continue;
      struct container_state s;
      struct error err;
      if (state_load (g->root, entry->d_name, &s, &err) < 0)
        continue;
      printf ("%-24s %-8d %-10s %-40s %s\n", s.id, s.pid, state_status (g->root, &s), s.bundle, s.created);
    }
  closedir (dir);
  return 0;
}
