#include "spec.h"
#include "util.h"
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <linux/capability.h>

static json_object *
member (json_object *obj, const char *key)
{
  json_object *out = NULL;
  if (obj && json_object_is_type (obj, json_type_object) && json_object_object_get_ex (obj, key, &out))
    return out;
  return NULL;
}

static const char *
string_member (json_object *obj, const char *key)
{
  json_object *v = member (obj, key);
  return v && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

/* NULL-terminated copy of an array of strings; -1 if it is not one. */
static int
string_array (json_object *arr, const char *what, char ***out, struct error *err)
{
  *out = NULL;
  if (arr == NULL)
    return 0;
  if (!json_object_is_type (arr, json_type_array))
    return fail (err, "config.json: %s: expected an array of strings", what);
  size_t n = json_object_array_length (arr);
  char **list = xcalloc (n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      json_object *v = json_object_array_get_idx (arr, i);
      if (!json_object_is_type (v, json_type_string))
        return fail (err, "config.json: %s[%zu]: expected a string", what, i);
      list[i] = xstrdup (json_object_get_string (v));
    }
  *out = list;
  return 0;
}

static long long
int_member (json_object *obj, const char *key, long long fallback)
{
  json_object *v = member (obj, key);
  return v && (json_object_is_type (v, json_type_int) || json_object_is_type (v, json_type_double)) ? json_object_get_int64 (v) : fallback;
}

static const char *const cap_names[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
  "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

int
capability_from_name (const char *name)
{
  for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
    if (strcasecmp (cap_names[i], name) == 0)
      return (int) i;
  return -1;
}

static int
cap_set (json_object *arr, const char *what, uint64_t *out, struct error *err)
{
  *out = 0;
  if (arr == NULL)
    return 0;
  if (!json_object_is_type (arr, json_type_array))
    return fail (err, "config.json: %s: expected an array of capability names", what);
  for (size_t i = 0; i < json_object_array_length (arr); i++)
    {
      const char *name = json_object_get_string (json_object_array_get_idx (arr, i));
      int cap = name ? capability_from_name (name) : -1;
      if (cap < 0)
        return fail (err, "config.json: %s: unknown capability `%s`", what, name ? name : "(not a string)");
      if (cap <= CAP_LAST_CAP)
        *out |= 1ULL << cap;
    }
  return 0;
}

static const struct { const char *name; int resource; } rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

int
process_parse (json_object *process, struct process_spec *out, struct error *err)
{
  memset (out, 0, sizeof *out);
  if (process == NULL || !json_object_is_type (process, json_type_object))
    return fail (err, "config.json: process: expected an object");
  if (string_array (member (process, "args"), "process.args", &out->args, err) < 0)
    return -1;
  if (out->args == NULL || out->args[0] == NULL)
    return fail (err, "config.json: process.args: expected at least the program to run");
  if (string_array (member (process, "env"), "process.env", &out->env, err) < 0)
    return -1;
  if (out->env == NULL)
    out->env = xcalloc (1, sizeof (char *));
  const char *cwd = string_member (process, "cwd");
  out->cwd = xstrdup (cwd ? cwd : "/");
  if (out->cwd[0] != '/')
    return fail (err, "config.json: process.cwd: `%s` is not an absolute path", out->cwd);
  json_object *user = member (process, "user");
  out->uid = (uid_t) int_member (user, "uid", 0);
  out->gid = (gid_t) int_member (user, "gid", 0);
  json_object *gids = member (user, "additionalGids");
  if (gids && json_object_is_type (gids, json_type_array))
    {
      out->n_additional_gids = json_object_array_length (gids);
      out->additional_gids = xcalloc (out->n_additional_gids, sizeof (gid_t));
      for (size_t i = 0; i < out->n_additional_gids; i++)
        out->additional_gids[i] = (gid_t) json_object_get_int64 (json_object_array_get_idx (gids, i));
    }
  json_object *nnp = member (process, "noNewPrivileges");
  out->no_new_privileges = nnp && json_object_get_boolean (nnp);
  json_object *caps = member (process, "capabilities");
  if (caps)
    {
      out->caps.present = 1;
      if (cap_set (member (caps, "bounding"), "process.capabilities.bounding", &out->caps.bounding, err) < 0
          || cap_set (member (caps, "effective"), "process.capabilities.effective", &out->caps.effective, err) < 0
          || cap_set (member (caps, "inheritable"), "process.capabilities.inheritable", &out->caps.inheritable, err) < 0
          || cap_set (member (caps, "permitted"), "process.capabilities.permitted", &out->caps.permitted, err) < 0
          || cap_set (member (caps, "ambient"), "process.capabilities.ambient", &out->caps.ambient, err) < 0)
        return -1;
    }
  json_object *rlimits = member (process, "rlimits");
  if (rlimits && json_object_is_type (rlimits, json_type_array))
    {
      out->n_rlimits = json_object_array_length (rlimits);
      out->rlimits = xcalloc (out->n_rlimits, sizeof (struct rlimit_spec));
      for (size_t i = 0; i < out->n_rlimits; i++)
        {
          json_object *r = json_object_array_get_idx (rlimits, i);
          const char *type = string_member (r, "type");
          int resource = -1;
          for (size_t k = 0; type && k < sizeof rlimit_names / sizeof rlimit_names[0]; k++)
            if (strcmp (rlimit_names[k].name, type) == 0)
              resource = rlimit_names[k].resource;
          if (resource < 0)
            return fail (err, "config.json: process.rlimits[%zu].type: unknown limit `%s`", i, type ? type : "(none)");
          out->rlimits[i].name = type;
          out->rlimits[i].resource = resource;
          out->rlimits[i].limit.rlim_cur = (rlim_t) int_member (r, "soft", 0);
          out->rlimits[i].limit.rlim_max = (rlim_t) int_member (r, "hard", 0);
        }
    }
  json_object *oom = member (process, "oomScoreAdj");
  if (oom)
    {
      out->has_oom_score_adj = 1;
      out->oom_score_adj = json_object_get_int (oom);
    }
  return 0;
}

static const struct { const char *name; unsigned long set, clear, propagation; } mount_options[] = {
  { "ro", MS_RDONLY, 0, 0 }, { "rw", 0, MS_RDONLY, 0 }, { "nosuid", MS_NOSUID, 0, 0 }, { "suid", 0, MS_NOSUID, 0 },
  { "nodev", MS_NODEV, 0, 0 }, { "dev", 0, MS_NODEV, 0 }, { "noexec", MS_NOEXEC, 0, 0 }, { "exec", 0, MS_NOEXEC, 0 },
  { "sync", MS_SYNCHRONOUS, 0, 0 }, { "async", 0, MS_SYNCHRONOUS, 0 }, { "noatime", MS_NOATIME, 0, 0 },
  { "atime", 0, MS_NOATIME, 0 }, { "relatime", MS_RELATIME, 0, 0 }, { "norelatime", 0, MS_RELATIME, 0 },
  { "strictatime", MS_STRICTATIME, 0, 0 }, { "nodiratime", MS_NODIRATIME, 0, 0 }, { "bind", MS_BIND, 0, 0 },
  { "rbind", MS_BIND | MS_REC, 0, 0 }, { "private", 0, 0, MS_PRIVATE }, { "rprivate", 0, 0, MS_PRIVATE | MS_REC },
  { "slave", 0, 0, MS_SLAVE }, { "rslave", 0, 0, MS_SLAVE | MS_REC }, { "shared", 0, 0, MS_SHARED },
  { "rshared", 0, 0, MS_SHARED | MS_REC }, { "unbindable", 0, 0, MS_UNBINDABLE }, { "runbindable", 0, 0, MS_UNBINDABLE | MS_REC },
};

static int
parse_mount (json_object *m, size_t i, struct mount_spec *out, struct error *err)
{
  const char *dest = string_member (m, "destination");
  if (dest == NULL || dest[0] != '/')
    return fail (err, "config.json: mounts[%zu].destination: expected an absolute path", i);
  out->destination = xstrdup (dest);
  const char *type = string_member (m, "type");
  const char *source = string_member (m, "source");
  out->type = xstrdup (type ? type : "none");
  out->source = xstrdup (source ? source : out->type);
  char data[1024] = "";
  json_object *options = member (m, "options");
  for (size_t k = 0; options && json_object_is_type (options, json_type_array) && k < json_object_array_length (options); k++)
    {
      const char *opt = json_object_get_string (json_object_array_get_idx (options, k));
      int known = 0;
      for (size_t j = 0; opt && j < sizeof mount_options / sizeof mount_options[0]; j++)
        if (strcmp (mount_options[j].name, opt) == 0)
          {
            out->flags = (out->flags | mount_options[j].set) & ~mount_options[j].clear;
            if (mount_options[j].propagation)
              out->propagation = mount_options[j].propagation;
            known = 1;
          }
      if (!known && opt)
        {
          size_t used = strlen (data);
          snprintf (data + used, sizeof data - used, "%s%s", used ? "," : "", opt);
        }
    }
  out->bind = (out->flags & MS_BIND) || strcmp (out->type, "bind") == 0;
  if (out->bind)
    out->flags |= MS_BIND;
  out->data = data[0] ? xstrdup (data) : NULL;
  return 0;
}

static const struct { const char *name; int flag; } namespace_names[] = {
  { "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS }, { "ipc", CLONE_NEWIPC },
  { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP }, { "user", CLONE_NEWUSER },
};

static int
parse_resources (json_object *r, struct resources_spec *out, struct error *err)
{
  json_object *memory = member (r, "memory");
  json_object *cpu = member (r, "cpu");
  out->memory_limit = int_member (memory, "limit", -1);
  out->memory_swap = int_member (memory, "swap", -1);
  out->cpu_quota = int_member (cpu, "quota", -1);
  out->cpu_period = int_member (cpu, "period", -1);
  out->cpu_shares = int_member (cpu, "shares", -1);
  out->pids_limit = int_member (member (r, "pids"), "limit", -1);
  if (out->memory_limit == 0 || out->memory_limit < -1)
    return fail (err, "config.json: linux.resources.memory.limit: expected a positive number of bytes, got %lld", out->memory_limit);
  json_object *devices = member (r, "devices");
  if (devices && json_object_is_type (devices, json_type_array))
    {
      out->n_devices = json_object_array_length (devices);
      out->devices = xcalloc (out->n_devices, sizeof (struct device_rule));
      for (size_t i = 0; i < out->n_devices; i++)
        {
          json_object *d = json_object_array_get_idx (devices, i);
          json_object *allow = member (d, "allow");
          const char *type = string_member (d, "type");
          const char *access = string_member (d, "access");
          out->devices[i].allow = allow && json_object_get_boolean (allow);
          out->devices[i].type = type && type[0] ? type[0] : 'a';
          out->devices[i].major = int_member (d, "major", -1);
          out->devices[i].minor = int_member (d, "minor", -1);
          snprintf (out->devices[i].access, sizeof out->devices[i].access, "%s", access ? access : "rwm");
        }
    }
  return 0;
}

int
spec_load (const char *bundle, struct spec *spec, struct error *err)
{
  memset (spec, 0, sizeof *spec);
  char real[PATH_MAX];
  if (realpath (bundle, real) == NULL)
    return fail_errno (err, "bundle `%s`", bundle);
  spec->bundle = xstrdup (real);
  cleanup_free char *path = xasprintf ("%s/config.json", real);
  cleanup_free char *text = NULL;
  if (read_file (path, &text, NULL, err) < 0)
    return -1;
  struct json_tokener *tok = json_tokener_new ();
  spec->json = json_tokener_parse_ex (tok, text, (int) strlen (text));
  enum json_tokener_error jerr = json_tokener_get_error (tok);
  size_t offset = json_tokener_get_parse_end (tok);
  json_tokener_free (tok);
  if (spec->json == NULL || jerr != json_tokener_success)
    return fail (err, "`%s` is not valid JSON: %s at byte %zu", path, json_tokener_error_desc (jerr), offset);
  if (!json_object_is_type (spec->json, json_type_object))
    return fail (err, "`%s`: expected a JSON object", path);

  json_object *root = member (spec->json, "root");
  const char *root_path = string_member (root, "path");
  if (root_path == NULL)
    return fail (err, "config.json: root.path is missing");
  cleanup_free char *joined = root_path[0] == '/' ? xstrdup (root_path) : xasprintf ("%s/%s", real, root_path);
  char root_real[PATH_MAX];
  if (realpath (joined, root_real) == NULL)
    return fail_errno (err, "rootfs `%s`", joined);
  spec->root_path = xstrdup (root_real);
  json_object *readonly = member (root, "readonly");
  spec->root_readonly = readonly && json_object_get_boolean (readonly);
  const char *hostname = string_member (spec->json, "hostname");
  spec->hostname = hostname ? xstrdup (hostname) : NULL;

  if (process_parse (member (spec->json, "process"), &spec->process, err) < 0)
    return -1;

  json_object *mounts = member (spec->json, "mounts");
  if (mounts && json_object_is_type (mounts, json_type_array))
    {
      spec->n_mounts = json_object_array_length (mounts);
      spec->mounts = xcalloc (spec->n_mounts, sizeof (struct mount_spec));
      for (size_t i = 0; i < spec->n_mounts; i++)
        if (parse_mount (json_object_array_get_idx (mounts, i), i, &spec->mounts[i], err) < 0)
          return -1;
    }

  json_object *linux_ = member (spec->json, "linux");
  json_object *namespaces = member (linux_, "namespaces");
  if (namespaces && json_object_is_type (namespaces, json_type_array))
    {
      spec->n_namespaces = json_object_array_length (namespaces);
      spec->namespaces = xcalloc (spec->n_namespaces, sizeof (struct namespace_spec));
      for (size_t i = 0; i < spec->n_namespaces; i++)
        {
          json_object *ns = json_object_array_get_idx (namespaces, i);
          const char *type = string_member (ns, "type");
          const char *nspath = string_member (ns, "path");
          for (size_t k = 0; type && k < sizeof namespace_names / sizeof namespace_names[0]; k++)
            if (strcmp (namespace_names[k].name, type) == 0)
              spec->namespaces[i].type = namespace_names[k].flag;
          if (spec->namespaces[i].type == 0)
            return fail (err, "config.json: linux.namespaces[%zu].type: unknown namespace `%s`", i, type ? type : "(none)");
          if (spec->namespaces[i].type == CLONE_NEWUSER)
            return fail (err, "config.json: linux.namespaces[%zu]: user namespaces are not supported by swarmts-runtime", i);
          spec->namespaces[i].path = nspath && nspath[0] ? xstrdup (nspath) : NULL;
        }
    }
  if (string_array (member (linux_, "maskedPaths"), "linux.maskedPaths", &spec->masked_paths, err) < 0
      || string_array (member (linux_, "readonlyPaths"), "linux.readonlyPaths", &spec->readonly_paths, err) < 0)
    return -1;
  if (parse_resources (member (linux_, "resources"), &spec->resources, err) < 0)
    return -1;
  const char *cgroups_path = string_member (linux_, "cgroupsPath");
  spec->cgroups_path = cgroups_path && cgroups_path[0] ? xstrdup (cgroups_path) : NULL;
  spec->seccomp = member (linux_, "seccomp");
  spec->sysctl = member (linux_, "sysctl");
  const char *propagation = string_member (linux_, "rootfsPropagation");
  spec->rootfs_propagation = MS_REC | MS_PRIVATE;
  for (size_t j = 0; propagation && j < sizeof mount_options / sizeof mount_options[0]; j++)
    if (strcmp (mount_options[j].name, propagation) == 0 && mount_options[j].propagation)
      spec->rootfs_propagation = mount_options[j].propagation;
  return 0;
}

const struct namespace_spec *
spec_namespace (const struct spec *spec, int type)
{
  for (size_t i = 0; i < spec->n_namespaces; i++)
    if (spec->namespaces[i].type == type)
      return &spec->namespaces[i];
  return NULL;
}

int
signal_from_name (const char *name)
{
  static const struct { const char *name; int signo; } signals[] = {
    { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL }, { "TRAP", SIGTRAP },
    { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
    { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
    { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
    { "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
    { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
  };
  if (name == NULL || name[0] == '\0')
    return -1;
  char *end;
  long n = strtol (name, &end, 10);
  if (*end == '\0')
    return n > 0 && n < NSIG ? (int) n : -1;
  const char *bare = strncasecmp (name, "SIG", 3) == 0 ? name + 3 : name;
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    if (strcasecmp (signals[i].name, bare) == 0)
      return signals[i].signo;
  return -1;
}
