#include "cgroup.h"
#include "commands.h"
#include "process.h"
#include "spec.h"
#include "state.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t forward_to;

static void
forward_signal (int signo)
{
  if (forward_to > 0)
    kill (forward_to, signo);
}

/* env with `extra` (KEY=value) entries set over it. */
static char **
merge_env (char **env, char **extra, size_t n_extra)
{
  size_t n = 0;
  while (env[n])
    n++;
  char **out = xcalloc (n + n_extra + 1, sizeof (char *));
  size_t used = 0;
  for (size_t i = 0; i < n; i++)
    out[used++] = env[i];
  for (size_t k = 0; k < n_extra; k++)
    {
      size_t key = strcspn (extra[k], "=");
      size_t i = 0;
      while (i < used && !(strncmp (out[i], extra[k], key) == 0 && out[i][key] == '='))
        i++;
      out[i] = extra[k];
      if (i == used)
        used++;
    }
  return out;
}

static int
join_container_namespaces (pid_t pid, struct error *err)
{
  /* mnt last: the other namespace files are opened first, through the host's /proc. */
  static const struct { const char *name; int type; } kinds[] = {
    { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
    { "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },
  };
  int fds[6];
  for (size_t i = 0; i < 6; i++)
    {
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/ns/%s", pid, kinds[i].name);
      fds[i] = open (path, O_RDONLY | O_CLOEXEC);
      if (fds[i] < 0)
        return fail_errno (err, "open `%s`", path);
    }
  int ret = 0;
  for (size_t i = 0; i < 6; i++)
    {
      if (ret == 0 && setns (fds[i], kinds[i].type) < 0)
        ret = fail_errno (err, "join the container's %s namespace", kinds[i].name);
      close (fds[i]);
    }
  return ret;
}

int
cmd_exec (const struct global_options *g, int argc, char **argv)
{
  struct error err = { 0 };
  static const struct option options[] = {
    { "process", required_argument, NULL, 'p' }, { "env", required_argument, NULL, 'e' },
    { "cwd", required_argument, NULL, 'w' }, { "user", required_argument, NULL, 'u' },
    { "detach", no_argument, NULL, 'd' }, { "pid-file", required_argument, NULL, 'P' },
    { "tty", no_argument, NULL, 't' }, { NULL, 0, NULL, 0 },
  };
  const char *process_file = NULL, *cwd = NULL, *user = NULL, *pid_file = NULL;
  cleanup_free char **extra_env = xcalloc (argc, sizeof (char *));
  size_t n_extra = 0;
  int detach = 0, c;
  optind = 0;
  while ((c = getopt_long (argc, argv, "+e:u:w:dt", options, NULL)) != -1)
    switch (c)
      {
      case 'p': process_file = optarg; break;
      case 'e':
        if (strchr (optarg, '=') == NULL)
          return fail (&err, "exec: --env `%s`: expected KEY=value", optarg), report (&err);
        extra_env[n_extra++] = optarg;
        break;
      case 'w': cwd = optarg; break;
      case 'u': user = optarg; break;
      case 'd': detach = 1; break;
      case 'P': pid_file = optarg; break;
      case 't': return fail (&err, "exec: --tty: terminals are not supported"), report (&err);
      default: return fail (&err, "exec: usage: exec [--process FILE | [-e K=V] [-u UID[:GID]] [--cwd DIR]] ID [ARGS...]"), report (&err);
      }
  if (optind >= argc || (process_file == NULL && optind + 1 >= argc))
    return fail (&err, "exec: expected a container id and, without --process, a command"), report (&err);
  struct container_state s;
  if (state_load (g->root, argv[optind], &s, &err) < 0)
    return report (&err);
  if (strcmp (state_status (g->root, &s), "running") != 0)
    return fail (&err, "container `%s` is not running: exec needs a running container", s.id), report (&err);
  struct spec spec;
  if (spec_load (s.bundle, &spec, &err) < 0)
    return report (&err);
  struct process_spec process = spec.process;
  if (process_file)
    {
      json_object *obj = json_object_from_file (process_file);
      if (obj == NULL)
        return fail (&err, "exec: --process `%s` is not a readable JSON file", process_file), report (&err);
      if (process_parse (obj, &process, &err) < 0)
        return report (&err);
    }
  else
    {
      process.args = argv + optind + 1;
      process.env = merge_env (spec.process.env, extra_env, n_extra);
      if (cwd)
        process.cwd = (char *) cwd;
      if (user)
        {
          char *colon;
          process.uid = (uid_t) strtoul (user, &colon, 10);
          process.gid = *colon == ':' ? (gid_t) strtoul (colon + 1, NULL, 10) : process.gid;
          process.n_additional_gids = 0;
        }
    }
  if (s.cgroup_path[0] && cgroup_enter (s.cgroup_path, getpid (), &err) < 0)
    return report (&err);
  if (join_container_namespaces (s.pid, &err) < 0)
    return report (&err);
  pid_t pid = fork ();
  if (pid < 0)
    return fail_errno (&err, "fork"), report (&err);
  if (pid == 0)
    {
      process_exec (&process, spec.seccomp, &err);
      fprintf (stderr, "swarmts-runtime: %s\n", err.message);
      _exit (err.errnum == ENOENT ? 127 : 126);
    }
  if (pid_file)
    {
      char text[32];
      int len = snprintf (text, sizeof text, "%d", pid);
      if (write_file_atomic (pid_file, text, len, &err) < 0)
        report (&err);
    }
  if (detach)
    return 0;
  forward_to = pid;
  struct sigaction sa = { .sa_handler = forward_signal };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
