#include "cgroup.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP2_SUPER_MAGIC 0x63677270

/* v1 hierarchies every container gets: pids (also the one we list processes from),
 * memory (limits and the OOM counter), cpu and cpuacct (quota, shares, usage). */
static const char *const v1_controllers[] = { "pids", "memory", "cpu", "cpuacct" };
#define N_V1 (sizeof v1_controllers / sizeof v1_controllers[0])

int
cgroup_version (void)
{
  static int version;
  if (version == 0)
    {
      struct statfs fs;
      version = statfs (CGROUP_ROOT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC ? 2 : 1;
    }
  return version;
}

char *
cgroup_dir (const char *path, const char *controller)
{
  const char *rel = path[0] == '/' ? path + 1 : path;
  if (cgroup_version () == 2)
    return xasprintf (CGROUP_ROOT "/%s", rel);
  return xasprintf (CGROUP_ROOT "/%s/%s", controller, rel);
}

static int
write_knob (const char *dir, const char *knob, const char *value, int optional, struct error *err)
{
  cleanup_free char *file = xasprintf ("%s/%s", dir, knob);
  if (write_string (file, value, err) < 0)
    return optional && err->errnum == ENOENT ? 0 : -1;
  return 0;
}

/* 1 when `name` is a word of the space-separated list `words`. */
static int
has_word (const char *words, const char *name)
{
  size_t n = strlen (name);
  for (const char *p = strstr (words, name); p; p = strstr (p + 1, name))
    if ((p == words || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
      return 1;
  return 0;
}

/* v2 needs each ancestor to hand the controllers down through cgroup.subtree_control.
 * memory, pids and cpu are handed down where the parent has them (memory also gives the
 * OOM counter); one that a limit needs but the parent lacks is an error naming it. */
static int
v2_enable_controllers (const char *path, const struct resources_spec *r, struct error *err)
{
  const struct { const char *name; int needed; } wanted[] = {
    { "memory", r->memory_limit > 0 }, { "pids", r->pids_limit > 0 },
    { "cpu", r->cpu_quota > 0 || r->cpu_period > 0 || r->cpu_shares > 0 },
  };
  cleanup_free char *rel = xstrdup (path[0] == '/' ? path + 1 : path);
  cleanup_free char *dir = xstrdup (CGROUP_ROOT);
  char *save = NULL;
  for (char *part = strtok_r (rel, "/", &save); part; part = strtok_r (NULL, "/", &save))
    {
      cleanup_free char *available_file = xasprintf ("%s/cgroup.controllers", dir);
      cleanup_free char *available = NULL;
      if (read_file (available_file, &available, NULL, err) < 0)
        return -1;
      cleanup_free char *control = xasprintf ("%s/cgroup.subtree_control", dir);
      for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
        {
          char value[16];
          snprintf (value, sizeof value, "+%s", wanted[i].name);
          if (!has_word (available, wanted[i].name))
            {
              if (wanted[i].needed)
                return fail (err, "cgroup v2 controller `%s` is not available in `%s`, and linux.resources needs it", wanted[i].name, available_file);
              continue;
            }
          /* cpu cannot be enabled while realtime processes run: fatal only if a limit needs it. */
          struct error ignored;
          if (write_string (control, value, wanted[i].needed ? err : &ignored) < 0 && wanted[i].needed)
            return -1;
        }
      char *next = xasprintf ("%s/%s", dir, part);
      free (dir);
      dir = next;
      if (mkdir (dir, 0755) < 0 && errno != EEXIST)
        return fail_errno (err, "mkdir cgroup `%s`", dir);
    }
  return 0;
}

static int
apply_v2 (const char *dir, const struct resources_spec *r, struct error *err)
{
  char value[64];
  if (r->memory_limit > 0)
    {
      snprintf (value, sizeof value, "%lld", r->memory_limit);
      if (write_knob (dir, "memory.max", value, 0, err) < 0)
        return -1;
      if (r->memory_swap > 0)
        {
          snprintf (value, sizeof value, "%lld", r->memory_swap - r->memory_limit > 0 ? r->memory_swap - r->memory_limit : 0);
          if (write_knob (dir, "memory.swap.max", value, 1, err) < 0)
            return -1;
        }
    }
  if (r->cpu_quota > 0 || r->cpu_period > 0)
    {
      long long period = r->cpu_period > 0 ? r->cpu_period : 100000;
      if (r->cpu_quota > 0)
        snprintf (value, sizeof value, "%lld %lld", r->cpu_quota, period);
      else
        snprintf (value, sizeof value, "max %lld", period);
      if (write_knob (dir, "cpu.max", value, 0, err) < 0)
        return -1;
    }
  if (r->cpu_shares > 0)
    {
      /* The conversion runc and crun use: shares 2..262144 onto weight 1..10000. */
      long long weight = 1 + ((r->cpu_shares - 2) * 9999) / 262142;
      snprintf (value, sizeof value, "%lld", weight < 1 ? 1 : weight > 10000 ? 10000 : weight);
      if (write_knob (dir, "cpu.weight", value, 0, err) < 0)
        return -1;
    }
  if (r->pids_limit > 0)
    {
      snprintf (value, sizeof value, "%lld", r->pids_limit);
      if (write_knob (dir, "pids.max", value, 0, err) < 0)
        return -1;
    }
  return 0;
}

static int
apply_v1 (const char *path, const struct resources_spec *r, struct error *err)
{
  char value[64];
  if (r->memory_limit > 0)
    {
      cleanup_free char *dir = cgroup_dir (path, "memory");
      snprintf (value, sizeof value, "%lld", r->memory_limit);
      if (write_knob (dir, "memory.limit_in_bytes", value, 0, err) < 0)
        return -1;
      if (r->memory_swap > 0)
        {
          snprintf (value, sizeof value, "%lld", r->memory_swap);
          if (write_knob (dir, "memory.memsw.limit_in_bytes", value, 1, err) < 0)
            return -1;
        }
    }
  cleanup_free char *cpu = cgroup_dir (path, "cpu");
  if (r->cpu_period > 0)
    {
      snprintf (value, sizeof value, "%lld", r->cpu_period);
      if (write_knob (cpu, "cpu.cfs_period_us", value, 0, err) < 0)
        return -1;
    }
  if (r->cpu_quota > 0)
    {
      snprintf (value, sizeof value, "%lld", r->cpu_quota);
      if (write_knob (cpu, "cpu.cfs_quota_us", value, 0, err) < 0)
        return -1;
    }
  if (r->cpu_shares > 0)
    {
      snprintf (value, sizeof value, "%lld", r->cpu_shares);
      if (write_knob (cpu, "cpu.shares", value, 0, err) < 0)
        return -1;
    }
  if (r->pids_limit > 0)
    {
      cleanup_free char *dir = cgroup_dir (path, "pids");
      snprintf (value, sizeof value, "%lld", r->pids_limit);
      if (write_knob (dir, "pids.max", value, 0, err) < 0)
        return -1;
    }
  if (r->n_devices > 0)
    {
      cleanup_free char *dir = cgroup_dir (path, "devices");
      if (mkdir_p (dir, 0755, err) < 0)
        return -1;
      for (size_t i = 0; i < r->n_devices; i++)
        {
          const struct device_rule *d = &r->devices[i];
          char major[24] = "*", minor[24] = "*";
          if (d->major >= 0)
            snprintf (major, sizeof major, "%lld", d->major);
          if (d->minor >= 0)
            snprintf (minor, sizeof minor, "%lld", d->minor);
          if (d->type == 'a')
            snprintf (value, sizeof value, "a");
          else
            snprintf (value, sizeof value, "%c %s:%s %s", d->type, major, minor, d->access);
          if (write_knob (dir, d->allow ? "devices.allow" : "devices.deny", value, 0, err) < 0)
            return -1;
        }
      /* The devices every container needs, after the spec's rules as runc and crun do. */
      static const char *const always_allowed[] = {
        "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
        "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",
      };
      for (size_t i = 0; i < sizeof always_allowed / sizeof always_allowed[0]; i++)
        if (write_knob (dir, "devices.allow", always_allowed[i], 0, err) < 0)
          return -1;
    }
  return 0;
}

int
cgroup_enter (const char *path, pid_t pid, struct error *err)
{
  char value[32];
  snprintf (value, sizeof value, "%d", pid);
  if (cgroup_version () == 2)
    {
      cleanup_free char *dir = cgroup_dir (path, NULL);
      return write_knob (dir, "cgroup.procs", value, 0, err);
    }
  for (size_t i = 0; i < N_V1; i++)
    {
      cleanup_free char *dir = cgroup_dir (path, v1_controllers[i]);
      if (write_knob (dir, "cgroup.procs", value, 0, err) < 0)
        return -1;
    }
  cleanup_free char *devices = cgroup_dir (path, "devices");
  if (access (devices, F_OK) == 0 && write_knob (devices, "cgroup.procs", value, 0, err) < 0)
    return -1;
  return 0;
}

int
cgroup_prepare (const char *path, const struct resources_spec *r, struct error *err)
{
  if (cgroup_version () == 2)
    {
      if (v2_enable_controllers (path, r, err) < 0)
        return -1;
      cleanup_free char *dir = cgroup_dir (path, NULL);
      if (apply_v2 (dir, r, err) < 0)
        return -1;
    }
  else
    {
      for (size_t i = 0; i < N_V1; i++)
        {
          cleanup_free char *dir = cgroup_dir (path, v1_controllers[i]);
          if (mkdir_p (dir, 0755, err) < 0)
            return -1;
        }
      if (apply_v1 (path, r, err) < 0)
        return -1;
    }
  return 0;
}

int
cgroup_create (const char *path, const struct resources_spec *r, pid_t pid, struct error *err)
{
  if (cgroup_prepare (path, r, err) < 0)
    return -1;
  return cgroup_enter (path, pid, err);
}

int
cgroup_open_v2 (const char *path, struct error *err)
{
  cleanup_free char *dir = cgroup_dir (path, NULL);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? fail_errno (err, "open cgroup `%s`", dir) : fd;
}

int
cgroup_signal_all (const char *path, int signo)
{
  cleanup_free char *dir = cgroup_dir (path, "pids");
  cleanup_free char *procs = xasprintf ("%s/cgroup.procs", dir);
  cleanup_free char *text = NULL;
  struct error ignored;
  if (read_file (procs, &text, NULL, &ignored) < 0)
    return 0;
  int count = 0;
  for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n"))
    if (kill ((pid_t) atoi (line), signo) == 0)
      count++;
  return count;
}

static int
remove_dir (const char *dir, struct error *err)
{
  /* The last processes may take a moment to leave after SIGKILL: retry for up to 5 s. */
  for (int attempt = 0; attempt < 500; attempt++)
    {
      if (rmdir (dir) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY)
        return fail_errno (err, "rmdir cgroup `%s`", dir);
      struct timespec pause = { 0, 10 * 1000 * 1000 };
      nanosleep (&pause, NULL);
    }
  return fail_errno (err, "rmdir cgroup `%s`", dir);
}

int
cgroup_destroy (const char *path, struct error *err)
{
  for (int round = 0; round < 50 && cgroup_signal_all (path, SIGKILL) > 0; round++)
    {
      struct timespec pause = { 0, 2 * 1000 * 1000 };
      nanosleep (&pause, NULL);
    }
  if (cgroup_version () == 2)
    {
      cleanup_free char *dir = cgroup_dir (path, NULL);
      return remove_dir (dir, err);
    }
  int ret = 0;
  for (size_t i = 0; i < N_V1; i++)
    {
      cleanup_free char *dir = cgroup_dir (path, v1_controllers[i]);
      if (remove_dir (dir, err) < 0)
        ret = -1;
    }
  cleanup_free char *devices = cgroup_dir (path, "devices");
  if (remove_dir (devices, err) < 0)
    ret = -1;
  return ret;
}
