#include "namespaces.h"
#include "util.h"
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

int
namespaces_clone_flags (const struct spec *spec)
{
  int flags = 0;
  for (size_t i = 0; i < spec->n_namespaces; i++)
    if (spec->namespaces[i].path == NULL && spec->namespaces[i].type != CLONE_NEWCGROUP)
      flags |= spec->namespaces[i].type;
  return flags;
}

int
namespaces_join_paths (const struct spec *spec, struct error *err)
{
  for (size_t i = 0; i < spec->n_namespaces; i++)
    {
      const struct namespace_spec *ns = &spec->namespaces[i];
      if (ns->path == NULL)
        continue;
      if (ns->type == CLONE_NEWPID)
        return fail (err, "joining a pid namespace by path (`%s`) is not supported", ns->path);
      cleanup_close int fd = open (ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return fail_errno (err, "open namespace `%s`", ns->path);
      if (setns (fd, ns->type) < 0)
        return fail_errno (err, "join namespace `%s`", ns->path);
    }
  return 0;
}
