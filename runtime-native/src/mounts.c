#include "mounts.h"
#include "cgroup.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The target inside the root, created as a directory (or a file, to bind a file onto),
 * refused when symlinks in the image would lead it outside the root. */
static int
prepare_target (const char *root, const char *dest, int as_file, char **out, struct error *err)
{
  cleanup_free char *joined = xasprintf ("%s%s", root, dest);
  if (as_file)
    {
      cleanup_free char *parent = xstrdup (joined);
      char *slash = strrchr (parent, '/');
      if (slash && slash != parent)
        {
          *slash = '\0';
          if (mkdir_p (parent, 0755, err) < 0)
            return -1;
        }
      int fd = open (joined, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd < 0 && errno != EISDIR && errno != ELOOP)
        return fail_errno (err, "create mount point `%s`", joined);
      if (fd >= 0)
        close (fd);
    }
  else if (mkdir_p (joined, 0755, err) < 0)
    return -1;
  char real[PATH_MAX];
  if (realpath (joined, real) == NULL)
    return fail_errno (err, "mount point `%s`", joined);
  size_t n = strlen (root);
  if (strncmp (real, root, n) != 0 || (real[n] != '\0' && real[n] != '/'))
    return fail (err, "mount point `%s` resolves to `%s`, outside the container root", dest, real);
  *out = xstrdup (real);
  return 0;
}

static int
mount_cgroup_fs (const char *target, const struct mount_spec *m, struct error *err)
{
  unsigned long flags = (m->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC) & ~MS_RDONLY;
  if (cgroup_version () == 2)
    {
      if (mount ("cgroup2", target, "cgroup2", flags | (m->flags & MS_RDONLY), NULL) < 0)
        return fail_errno (err, "mount `cgroup2` on `%s`", target);
      return 0;
    }
  if (mount ("tmpfs", target, "tmpfs", flags, "mode=755") < 0)
    return fail_errno (err, "mount `tmpfs` on `%s`", target);
  static const char *const controllers[] = { "pids", "memory", "cpu", "cpuacct" };
  for (size_t i = 0; i < sizeof controllers / sizeof controllers[0]; i++)
    {
      cleanup_free char *dir = xasprintf ("%s/%s", target, controllers[i]);
      if (mkdir (dir, 0755) < 0 && errno != EEXIST)
        return fail_errno (err, "mkdir `%s`", dir);
      if (mount ("cgroup", dir, "cgroup", flags | (m->flags & MS_RDONLY), controllers[i]) < 0)
        return fail_errno (err, "mount cgroup `%s` on `%s`", controllers[i], dir);
    }
  if ((m->flags & MS_RDONLY) && mount (NULL, target, NULL, MS_REMOUNT | flags | MS_RDONLY, "mode=755") < 0)
    return fail_errno (err, "remount `%s` read-only", target);
  return 0;
}

static int
is_cgroup_mount (const struct mount_spec *m)
{
  return strcmp (m->type, "cgroup") == 0 || strcmp (m->type, "cgroup2") == 0;
}

static int
do_mount (const char *root, const struct mount_spec *m, struct error *err)
{
  struct stat st;
  int as_file = m->bind && stat (m->source, &st) == 0 && !S_ISDIR (st.st_mode);
  if (m->bind && !as_file && stat (m->source, &st) < 0)
    return fail_errno (err, "bind source `%s` for `%s`", m->source, m->destination);
  cleanup_free char *target = NULL;
  if (prepare_target (root, m->destination, as_file, &target, err) < 0)
    return -1;
  if (is_cgroup_mount (m))
    return mount_cgroup_fs (target, m, err);
  if (m->bind)
    {
      if (mount (m->source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
        return fail_errno (err, "bind mount `%s` on `%s`", m->source, target);
      unsigned long remount = m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
      if (remount && mount (NULL, target, NULL, MS_REMOUNT | MS_BIND | remount, NULL) < 0)
        return fail_errno (err, "remount `%s` with the options of `%s`", target, m->destination);
    }
  else if (mount (m->source, target, m->type, m->flags & ~(MS_REC | MS_BIND), m->data) < 0)
    {
      /* mqueue and sysfs need namespaces the container may share with the host: bind instead. */
      if ((errno == EPERM || errno == EBUSY) && (strcmp (m->type, "sysfs") == 0 || strcmp (m->type, "mqueue") == 0))
        {
          const char *host = strcmp (m->type, "sysfs") == 0 ? "/sys" : "/dev/mqueue";
          if (mount (host, target, NULL, MS_BIND | MS_REC, NULL) < 0)
            return fail_errno (err, "bind mount `%s` on `%s`", host, target);
        }
      else
        return fail_errno (err, "mount `%s` on `%s`", m->source, target);
    }
  if (m->propagation && mount (NULL, target, NULL, m->propagation, NULL) < 0)
    return fail_errno (err, "set propagation of `%s`", target);
  return 0;
}

/* The devices every container has; the spec's /dev tmpfs starts empty. */
static int
setup_dev (const char *root, struct error *err)
{
  static const struct { const char *name; unsigned major, minor; } devices[] = {
    { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
  };
  for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
    {
      cleanup_free char *path = xasprintf ("%s/dev/%s", root, devices[i].name);
      if (mknod (path, S_IFCHR | 0666, makedev (devices[i].major, devices[i].minor)) < 0 && errno != EEXIST)
        return fail_errno (err, "mknod `%s`", path);
      chmod (path, 0666);
    }
  static const struct { const char *target, *link; } links[] = {
    { "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
    { "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" },
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    {
      cleanup_free char *path = xasprintf ("%s/dev/%s", root, links[i].link);
      if (symlink (links[i].target, path) < 0 && errno != EEXIST)
        return fail_errno (err, "symlink `%s`", path);
    }
  return 0;
}

int
mounts_setup_rootfs (const struct spec *spec, struct error *err)
{
  const char *root = spec->root_path;
  if (mount (NULL, "/", NULL, spec->rootfs_propagation, NULL) < 0)
    return fail_errno (err, "make `/` %s", (spec->rootfs_propagation & MS_SLAVE) ? "rslave" : "rprivate");
  if (mount (root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
    return fail_errno (err, "bind mount the root `%s` on itself", root);
  int dev_is_tmpfs = 0;
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      if (is_cgroup_mount (&spec->mounts[i]))
        continue;
      if (do_mount (root, &spec->mounts[i], err) < 0)
        return -1;
      if (strcmp (spec->mounts[i].destination, "/dev") == 0 && !spec->mounts[i].bind)
        dev_is_tmpfs = 1;
    }
  if (dev_is_tmpfs && setup_dev (root, err) < 0)
    return -1;
  if (chdir (root) < 0)
    return fail_errno (err, "chdir `%s`", root);
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return fail_errno (err, "pivot_root into `%s`", root);
  /* The old root now sits on top of the new one: detach it. */
  if (umount2 (".", MNT_DETACH) < 0)
    return fail_errno (err, "detach the old root");
  if (chdir ("/") < 0)
    return fail_errno (err, "chdir `/`");
  return 0;
}

static int
mask_path (const char *path, struct error *err)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return 0; /* nothing there to hide */
  if (S_ISDIR (st.st_mode))
    {
      if (mount ("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k") < 0)
        return fail_errno (err, "mask `%s`", path);
    }
  else if (mount ("/dev/null", path, NULL, MS_BIND, NULL) < 0)
    return fail_errno (err, "mask `%s`", path);
  return 0;
}

static int
readonly_path (const char *path, struct error *err)
{
  if (mount (path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
    return errno == ENOENT ? 0 : fail_errno (err, "bind `%s` read-only", path);
  if (mount (NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    return fail_errno (err, "remount `%s` read-only", path);
  return 0;
}

int
mounts_cgroup (const struct spec *spec, struct error *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (is_cgroup_mount (&spec->mounts[i]) && do_mount ("", &spec->mounts[i], err) < 0)
      return -1;
  return 0;
}

int
mounts_finish (const struct spec *spec, struct error *err)
{
  for (char **p = spec->masked_paths; p && *p; p++)
    if (mask_path (*p, err) < 0)
      return -1;
  for (char **p = spec->readonly_paths; p && *p; p++)
    if (readonly_path (*p, err) < 0)
      return -1;
  if (spec->root_readonly && mount (NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
    return fail_errno (err, "remount the root read-only");
  return 0;
}
