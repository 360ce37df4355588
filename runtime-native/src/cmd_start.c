#include "commands.h"
#include "state.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

int
cmd_start (const struct global_options *g, int argc, char **argv)
{
  struct error err = { 0 };
  if (argc != 2)
    return fail (&err, "start: expected exactly one container id"), report (&err);
  struct container_state state;
  if (state_load (g->root, argv[1], &state, &err) < 0)
    return report (&err);
  const char *status = state_status (g->root, &state);
  if (strcmp (status, "created") != 0)
    return fail (&err, "container `%s` is %s, not created: only a created container can be started", state.id, status), report (&err);
  cleanup_free char *fifo = state_fifo (g->root, state.id);
  /* Non-blocking: the init is already waiting to open the write side. */
  cleanup_close int fd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return fail_errno (&err, "open `%s`", fifo), report (&err);
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  int ready = poll (&pfd, 1, 10 * 1000);
  char byte;
  if (ready <= 0 || read (fd, &byte, 1) != 1)
    return fail (&err, "container `%s` did not start: its init is gone or stuck", state.id), report (&err);
  unlink (fifo);
  return 0;
}
