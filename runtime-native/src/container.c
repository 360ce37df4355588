#include "container.h"
#include "cgroup.h"
#include "mounts.h"
#include "namespaces.h"
#include "process.h"
#include "state.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

char *
container_cgroup_path (const struct spec *spec, const char *id)
{
  return spec->cgroups_path ? xstrdup (spec->cgroups_path) : xasprintf ("/swarmts-runtime/%s", id);
}

/* A one-message reply over the sync socket: "" for ready, or the error text. */
static void
child_reply (int sock, const struct error *err)
{
  const char *msg = err ? err->message : "";
  if (send (sock, msg, strlen (msg) + 1, MSG_NOSIGNAL) < 0)
    _exit (126);
}

static int
write_sysctls (const struct spec *spec, struct error *err)
{
  if (spec->sysctl == NULL)
    return 0;
  json_object_object_foreach (spec->sysctl, key, value)
    {
      cleanup_free char *path = xasprintf ("/proc/sys/%s", key);
      for (char *p = path + 10; *p; p++)
        if (*p == '.')
          *p = '/';
      if (write_string (path, json_object_get_string (value), err) < 0)
        return -1;
    }
  return 0;
}

/* A new network namespace starts with its loopback down; runc and crun bring it up, so
 * 127.0.0.1 works inside (health checks, sidecars), and so do we. */
static int
loopback_up (struct error *err)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fail_errno (err, "socket to bring lo up");
  struct ifreq ifr = { 0 };
  strncpy (ifr.ifr_name, "lo", IFNAMSIZ - 1);
  int rc = ioctl (fd, SIOCGIFFLAGS, &ifr);
  if (rc == 0)
    {
      ifr.ifr_flags |= IFF_UP;
      rc = ioctl (fd, SIOCSIFFLAGS, &ifr);
    }
  close (fd);
  return rc < 0 ? fail_errno (err, "bring lo up") : 0;
}

/* The init's set-up that needs no cgroup, run while the parent creates it: joined
 * namespaces, hostname, sysctls, the root and its mounts, pivot_root. */
static int
child_setup_early (const struct create_options *o, const struct spec *spec, const char *fifo, int *fifo_fd, struct error *err)
{
  if (namespaces_join_paths (spec, err) < 0)
    return -1;
  const struct namespace_spec *net = spec_namespace (spec, CLONE_NEWNET);
  if (net != NULL && net->path == NULL && loopback_up (err) < 0)
    return -1;
  if (spec->hostname && spec_namespace (spec, CLONE_NEWUTS) && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return fail_errno (err, "sethostname `%s`", spec->hostname);
  if (write_sysctls (spec, err) < 0)
    return -1;
  /* Opened now, while the host's paths are visible; reopened for writing after pivot_root. */
  if (o->wait_for_start && (*fifo_fd = open (fifo, O_PATH | O_CLOEXEC)) < 0)
    return fail_errno (err, "open `%s`", fifo);
  if (spec_namespace (spec, CLONE_NEWNS) == NULL)
    return fail (err, "config.json: linux.namespaces: a mount namespace is required");
  return mounts_setup_rootfs (spec, err);
}

/* The rest, once the parent has moved the init into its cgroup: the cgroup namespace
 * (rooted at that cgroup), cgroup mounts, masked and read-only paths. */
static int
child_setup_late (const struct spec *spec, struct error *err)
{
  const struct namespace_spec *cgroup_ns = spec_namespace (spec, CLONE_NEWCGROUP);
  if (cgroup_ns && cgroup_ns->path == NULL && unshare (CLONE_NEWCGROUP) < 0)
    return fail_errno (err, "unshare the cgroup namespace");
  if (mounts_cgroup (spec, err) < 0 || mounts_finish (spec, err) < 0)
    return -1;
  return process_check_executable (&spec->process, err);
}

/* Everything the init does between clone and execve. Never returns. */
static void __attribute__ ((noreturn))
child_main (const struct create_options *o, const struct spec *spec, int sock, const char *fifo)
{
  struct error err = { 0 };
  syscall (SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  int fifo_fd = -1;
  int ret = child_setup_early (o, spec, fifo, &fifo_fd, &err);
  char go;
  if (recv (sock, &go, 1, 0) != 1)
    _exit (126); /* the parent went away, or could not make the cgroup */
  if (ret == 0)
    ret = child_setup_late (spec, &err);
  child_reply (sock, ret < 0 ? &err : NULL);
  if (ret < 0)
    _exit (126);
  close (sock);
  if (o->wait_for_start)
    {
      /* Blocks until `start` opens the fifo for reading. */
      char path[64];
      snprintf (path, sizeof path, "/proc/self/fd/%d", fifo_fd);
      int wfd = open (path, O_WRONLY | O_CLOEXEC);
      if (wfd < 0 || write (wfd, "0", 1) != 1)
        _exit (126);
      close (wfd);
      close (fifo_fd);
    }
  process_exec (&spec->process, spec->seccomp, &err);
  fprintf (stderr, "swarmts-runtime: %s\n", err.message);
  _exit (err.errnum == ENOENT ? 127 : 126);
}

static int
save_state_json (const struct create_options *o, const struct spec *spec, pid_t pid, const char *cgroup_path, struct error *err)
{
  char created[64];
  now_rfc3339 (created, sizeof created);
  json_object *annotations = NULL;
  json_object_object_get_ex (spec->json, "annotations", &annotations);
  struct container_state state = {
    .id = (char *) o->id, .pid = pid, .pid_start_time = process_stat (pid, NULL), .bundle = spec->bundle,
    .created = created, .cgroup_path = (char *) cgroup_path,
    .annotations_json = (char *) (annotations ? json_object_to_json_string_ext (annotations, JSON_C_TO_STRING_PLAIN) : "{}"),
  };
  return state_save (o->root, &state, err);
}

/* clone3 straight into the v2 cgroup `cgroup_fd` when there is one: moving a process
 * between cgroups later waits for an RCU grace period (milliseconds). Otherwise, or on a
 * kernel without CLONE_INTO_CGROUP (before 5.7), a plain clone; *in_cgroup says which. */
static pid_t
clone_init (int flags, int cgroup_fd, int *in_cgroup)
{
  *in_cgroup = 0;
  if (cgroup_fd >= 0)
    {
      struct clone_args args = {
        .flags = (uint64_t) flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t) cgroup_fd,
      };
      pid_t pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
      if (pid >= 0)
        {
          *in_cgroup = 1;
          return pid;
        }
      if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
        return -1;
    }
  return (pid_t) syscall (SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

/* Undoes a create that failed before the init existed. */
static int
abandon (const struct create_options *o, const char *cgroup_path, int sv[2])
{
  struct error ignored;
  if (sv[0] >= 0)
    close (sv[0]);
  if (sv[1] >= 0)
    close (sv[1]);
  cgroup_destroy (cgroup_path, &ignored);
  state_remove (o->root, o->id);
  return -1;
}

int
container_create (const struct create_options *o, const struct spec *spec, pid_t *pid_out, struct error *err)
{
  if (state_check_id (o->id, err) < 0 || state_dir_create (o->root, o->id, err) < 0)
    return -1;
  cleanup_free char *fifo = state_fifo (o->root, o->id);
  cleanup_free char *cgroup_path = container_cgroup_path (spec, o->id);
  int sv[2] = { -1, -1 };
  if (o->wait_for_start && mkfifo (fifo, 0600) < 0)
    return fail_errno (err, "mkfifo `%s`", fifo), abandon (o, cgroup_path, sv);
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return fail_errno (err, "socketpair"), abandon (o, cgroup_path, sv);
  /* v2: the cgroup is made first and the init born in it. v1: the cgroup is made after
   * the clone, while the child sets up its mounts, and the init moved into it. Detected
   * here, on the host's /sys/fs/cgroup, and cached: the child mounts the cgroup
   * filesystem after pivot_root, where that path is the container's. */
  cleanup_close int cgroup_fd = -1;
  if (cgroup_version () == 2
      && (cgroup_prepare (cgroup_path, &spec->resources, err) < 0 || (cgroup_fd = cgroup_open_v2 (cgroup_path, err)) < 0))
    return abandon (o, cgroup_path, sv);
  int in_cgroup;
  pid_t pid = clone_init (namespaces_clone_flags (spec), cgroup_fd, &in_cgroup);
  if (pid < 0)
    return fail_errno (err, "clone the container's init"), abandon (o, cgroup_path, sv);
  if (pid == 0)
    {
      close (sv[0]);
      child_main (o, spec, sv[1], fifo);
    }
  close (sv[1]);
  int ret = in_cgroup ? 0 : cgroup_fd >= 0 ? cgroup_enter (cgroup_path, pid, err) : cgroup_create (cgroup_path, &spec->resources, pid, err);
  if (ret == 0)
    ret = process_set_oom_score (pid, &spec->process, err);
  if (ret == 0 && send (sv[0], "g", 1, MSG_NOSIGNAL) != 1)
    ret = fail_errno (err, "start the container's init");
  if (ret == 0)
    {
      char reply[sizeof err->message];
      ssize_t n = recv (sv[0], reply, sizeof reply - 1, 0);
      if (n <= 0)
        ret = fail (err, "the container's init died during set-up");
      else if (reply[0] != '\0')
        {
          reply[n] = '\0';
          ret = fail (err, "%s", reply);
        }
    }
  close (sv[0]);
  if (ret == 0)
    ret = save_state_json (o, spec, pid, cgroup_path, err);
  if (ret == 0 && o->pid_file)
    {
      char text[32];
      int len = snprintf (text, sizeof text, "%d", pid);
      ret = write_file_atomic (o->pid_file, text, len, err);
    }
  if (ret < 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      struct error ignored;
      cgroup_destroy (cgroup_path, &ignored);
      state_remove (o->root, o->id);
      return -1;
    }
  *pid_out = pid;
  return 0;
}
