/* swarmts-monitor: one per container, like conmon. It runs any OCI runtime's `create`
 * with the container's stdout/stderr connected to pipes it owns, detaches from its caller,
 * copies the output into a rotated CRI log, reaps the container's init as a subreaper, and
 * writes the exit status (with the OOM killer's verdict) atomically to the exit file. It
 * outlives the daemon that started it, so a daemon restart never stops a container.
 *
 * To its caller it reports one line and exits: `created <pid>` (exit 0), or the runtime's
 * error (exit 1), on stdout and stderr, or on the fd given by --sync-fd. The caller then
 * runs `<runtime> start <id>` itself. */
#include "cgroup.h"
#include "log_writer.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct monitor_options {
  const char *runtime, *runtime_root, *bundle, *id, *log_path, *exit_file, *pid_file;
  long long log_bytes_max;
  int log_files_max;
  int sync_fd; /* -1: report on stdout/stderr */
};

static void
usage (void)
{
  fputs ("usage: swarmts-monitor --runtime PATH --runtime-root DIR --bundle DIR --id ID --log-path FILE\n"
         "                       --exit-file FILE --pid-file FILE [--log-max-bytes N] [--log-max-files K]\n"
         "                       [--sync-fd N]\n", stderr);
}

static int
parse_options (int argc, char **argv, struct monitor_options *o)
{
  static const struct option options[] = {
    { "runtime", required_argument, NULL, 'r' }, { "runtime-root", required_argument, NULL, 'R' },
    { "bundle", required_argument, NULL, 'b' }, { "id", required_argument, NULL, 'i' },
    { "log-path", required_argument, NULL, 'l' }, { "log-max-bytes", required_argument, NULL, 'B' },
    { "log-max-files", required_argument, NULL, 'F' }, { "exit-file", required_argument, NULL, 'e' },
    { "pid-file", required_argument, NULL, 'p' }, { "sync-fd", required_argument, NULL, 's' }, { NULL, 0, NULL, 0 },
  };
  *o = (struct monitor_options) { .log_bytes_max = 10 * 1024 * 1024, .log_files_max = 3, .sync_fd = -1 };
  int c;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (c)
      {
      case 'r': o->runtime = optarg; break;
      case 'R': o->runtime_root = optarg; break;
      case 'b': o->bundle = optarg; break;
      case 'i': o->id = optarg; break;
      case 'l': o->log_path = optarg; break;
      case 'B': o->log_bytes_max = atoll (optarg); break;
      case 'F': o->log_files_max = atoi (optarg); break;
      case 'e': o->exit_file = optarg; break;
      case 'p': o->pid_file = optarg; break;
      case 's':
        o->sync_fd = atoi (optarg);
        if (o->sync_fd < 3 || fcntl (o->sync_fd, F_GETFD) < 0)
          return -1;
        break;
      default: return -1;
      }
  if (!o->runtime || !o->runtime_root || !o->bundle || !o->id || !o->log_path || !o->exit_file || !o->pid_file || optind != argc)
    return -1;
  return 0;
}

/* The container's cgroup from the bundle, for the OOM counter; NULL when it has none. */
static char *
bundle_cgroup_path (const char *bundle)
{
  cleanup_free char *path = xasprintf ("%s/config.json", bundle);
  json_object *spec = json_object_from_file (path);
  json_object *linux_, *cgroups_path;
  char *out = NULL;
  if (spec && json_object_object_get_ex (spec, "linux", &linux_) && json_object_object_get_ex (linux_, "cgroupsPath", &cgroups_path))
    out = xstrdup (json_object_get_string (cgroups_path));
  json_object_put (spec);
  return out;
}

static long long
oom_kills (const char *cgroup_path)
{
  if (cgroup_path == NULL)
    return 0;
  cleanup_free char *dir = cgroup_dir (cgroup_path, "memory");
  cleanup_free char *file = xasprintf ("%s/%s", dir, cgroup_version () == 2 ? "memory.events" : "memory.oom_control");
  cleanup_free char *text = NULL;
  struct error ignored;
  if (read_file (file, &text, NULL, &ignored) < 0)
    return 0;
  char *line = strstr (text, "oom_kill ");
  return line ? atoll (line + 9) : 0;
}

static void
write_exit_file (const char *path, int status, int oom_killed)
{
  char finished[64];
  now_rfc3339 (finished, sizeof finished);
  json_object *obj = json_object_new_object ();
  int exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  json_object_object_add (obj, "exitCode", json_object_new_int (exit_code));
  if (WIFSIGNALED (status))
    {
      char name[32];
      snprintf (name, sizeof name, "SIG%s", sigabbrev_np (WTERMSIG (status)) ? sigabbrev_np (WTERMSIG (status)) : "UNKNOWN");
      json_object_object_add (obj, "signal", json_object_new_string (name));
    }
  else
    json_object_object_add (obj, "signal", NULL);
  json_object_object_add (obj, "oomKilled", json_object_new_boolean (oom_killed));
  json_object_object_add (obj, "finishedAt", json_object_new_string (finished));
  const char *text = json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  struct error err;
  if (write_file_atomic (path, text, strlen (text), &err) < 0)
    log_line ("error", "%s", err.message);
  json_object_put (obj);
}

/* Reads what the runtime said on a failed create (its stderr is our pipe). */
static void
drain_into (int fd, char *buf, size_t size)
{
  size_t used = strlen (buf);
  ssize_t n;
  while (used + 1 < size && (n = read (fd, buf + used, size - used - 1)) > 0)
    used += n;
  buf[used] = '\0';
  while (used > 0 && (buf[used - 1] == '\n' || buf[used - 1] == ' '))
    buf[--used] = '\0';
}

/* Runs `runtime create`; returns the container's pid, or -1 with the reason in `why`. */
static pid_t
run_create (const struct monitor_options *o, int out_w, int err_w, int err_r, char *why, size_t why_size)
{
  pid_t child = fork ();
  if (child < 0)
    {
      snprintf (why, why_size, "fork: %s", strerror (errno));
      return -1;
    }
  if (child == 0)
    {
      int devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      dup2 (devnull, 0);
      dup2 (out_w, 1);
      dup2 (err_w, 2);
      execl (o->runtime, o->runtime, "--root", o->runtime_root, "create", "--bundle", o->bundle, "--pid-file", o->pid_file, o->id, (char *) NULL);
      fprintf (stderr, "exec runtime `%s`: %s\n", o->runtime, strerror (errno));
      _exit (127);
    }
  int status;
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      fcntl (err_r, F_SETFL, O_NONBLOCK);
      snprintf (why, why_size, "%s create failed: ", o->runtime);
      drain_into (err_r, why, why_size);
      return -1;
    }
  cleanup_free char *text = NULL;
  struct error err;
  if (read_file (o->pid_file, &text, NULL, &err) < 0)
    {
      snprintf (why, why_size, "%s", err.message);
      return -1;
    }
  return (pid_t) atoi (text);
}

/* Copies output until both pipes close, reaping children; returns the init's wait status. */
static int
pump (struct log_writer *log, int out_r, int err_r, int sfd, pid_t init)
{
  struct pollfd fds[3] = { { out_r, POLLIN, 0 }, { err_r, POLLIN, 0 }, { sfd, POLLIN, 0 } };
  int init_status = -1, open_pipes = 2;
  char buf[65536];
  /* After the init is gone, anything still holding the pipes gets 2 s to finish writing. */
  while (open_pipes > 0)
    {
      int ready = poll (fds, 3, init_status == -1 ? -1 : 2000);
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        break;
      for (int i = 0; i < 2; i++)
        if (fds[i].revents)
          {
            ssize_t n = read (fds[i].fd, buf, sizeof buf);
            if (n > 0)
              log_write (log, i == 0 ? &log->out : &log->err, buf, n);
            else if (n == 0 || errno != EINTR)
              {
                fds[i].fd = -1;
                open_pipes--;
              }
          }
      if (fds[2].revents)
        {
          struct signalfd_siginfo info;
          while (read (sfd, &info, sizeof info) == sizeof info)
            ;
          int status;
          pid_t pid;
          while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
            if (pid == init)
              init_status = status;
        }
    }
  while (init_status == -1)
    {
      int status;
      pid_t pid = waitpid (-1, &status, 0);
      if (pid < 0 && errno != EINTR)
        break;
      if (pid == init)
        init_status = status;
    }
  log_flush (log);
  return init_status < 0 ? (1 << 8) : init_status;
}

int
main (int argc, char **argv)
{
  struct monitor_options o;
  if (parse_options (argc, argv, &o) < 0)
    {
      usage ();
      return 2;
    }
  int report[2];
  if (pipe2 (report, O_CLOEXEC) < 0)
    {
      perror ("swarmts-monitor: pipe");
      return 1;
    }
  pid_t first = fork ();
  if (first < 0)
    {
      perror ("swarmts-monitor: fork");
      return 1;
    }
  if (first > 0)
    {
      /* The caller's side: wait for the monitor's one-line verdict, then exit. */
      close (report[1]);
      char line[2048] = "";
      drain_into (report[0], line, sizeof line);
      waitpid (first, NULL, 0);
      int created = strncmp (line, "created ", 8) == 0;
      if (!created && line[0] == '\0')
        snprintf (line, sizeof line, "swarmts-monitor: the monitor died before the container was created");
      if (o.sync_fd >= 0)
        dprintf (o.sync_fd, "%s\n", line);
      else
        fprintf (created ? stdout : stderr, "%s\n", line);
      return created ? 0 : 1;
    }
  close (report[0]);
  setsid ();
  if (fork () != 0)
    _exit (0); /* the monitor is the grandchild: no session leader, not the caller's child */
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  /* Hold none of the caller's fds (sockets, the sync fd, pipes it waits on to close). */
  if (report[1] != 3 && dup3 (report[1], 3, O_CLOEXEC) < 0)
    _exit (1);
  report[1] = 3;
  syscall (SYS_close_range, 4, ~0U, 0);
  if (chdir ("/") < 0)
    _exit (1);
  int devnull = open ("/dev/null", O_RDWR);
  dup2 (devnull, 0);
  dup2 (devnull, 1);
  dup2 (devnull, 2);
  close (devnull);

  sigset_t mask;
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  int sfd = signalfd (-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  int out_pipe[2], err_pipe[2];
  struct log_writer log;
  struct error err = { 0 };
  char why[2048] = "";
  if (sfd < 0 || pipe2 (out_pipe, O_CLOEXEC) < 0 || pipe2 (err_pipe, O_CLOEXEC) < 0)
    snprintf (why, sizeof why, "swarmts-monitor: set-up: %s", strerror (errno));
  else if (log_open (&log, o.log_path, o.log_bytes_max, o.log_files_max, &err) < 0)
    snprintf (why, sizeof why, "swarmts-monitor: %s", err.message);
  if (why[0])
    {
      dprintf (report[1], "%s", why);
      _exit (1);
    }
  pid_t init = run_create (&o, out_pipe[1], err_pipe[1], err_pipe[0], why, sizeof why);
  close (out_pipe[1]);
  close (err_pipe[1]);
  if (init <= 0)
    {
      dprintf (report[1], "%s", why[0] ? why : "the runtime wrote no pid");
      _exit (1);
    }
  dprintf (report[1], "created %d", init);
  close (report[1]);
  fcntl (out_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl (err_pipe[0], F_SETFL, O_NONBLOCK);
  int status = pump (&log, out_pipe[0], err_pipe[0], sfd, init);
  cleanup_free char *cgroup_path = bundle_cgroup_path (o.bundle);
  write_exit_file (o.exit_file, status, oom_kills (cgroup_path) > 0);
  return 0;
}
