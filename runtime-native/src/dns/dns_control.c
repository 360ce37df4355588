#include "dns_control.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IN_BYTES_MAX (4 + CONTROL_FRAME_BYTES_MAX)

int
control_init (struct control *c, int fd, struct error *err)
{
  *c = (struct control) { .fd = fd, .in = malloc (IN_BYTES_MAX), .out = malloc (CONTROL_OUT_BYTES_MAX) };
  if (c->in == NULL || c->out == NULL)
    return fail (err, "no memory for the control channel buffers (%d bytes)", IN_BYTES_MAX + CONTROL_OUT_BYTES_MAX);
  int flags = fcntl (fd, F_GETFL);
  if (flags < 0 || fcntl (fd, F_SETFL, flags | O_NONBLOCK) < 0)
    return fail_errno (err, "control fd %d: is it open (the Node server passes it)?", fd);
  return 0;
}

static uint32_t
read_u32 (const uint8_t *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

int
control_read (struct control *c, control_frame_fn on_frame, void *ctx, struct error *err)
{
  for (;;)
    {
      ssize_t n = read (c->fd, c->in + c->in_len, IN_BYTES_MAX - c->in_len);
      if (n == 0)
        return 1;
      if (n < 0)
        {
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
          if (errno == EINTR)
            continue;
          return fail_errno (err, "read the control channel from the Node server");
        }
      c->in_len += (size_t) n;
      size_t offset = 0;
      while (c->in_len - offset >= 4)
        {
          uint32_t len = read_u32 (c->in + offset);
          if (len == 0 || len > CONTROL_FRAME_BYTES_MAX)
            return fail (err, "control channel: a frame of %u bytes (expected 1..%d): the Node server and "
                         "swarmts-dns disagree on the protocol; rebuild runtime-native", len, CONTROL_FRAME_BYTES_MAX);
          if (c->in_len - offset - 4 < len)
            break;
          if (on_frame (ctx, c->in + offset + 4, len) < 0)
            return fail (err, "control channel: a bad '%c' frame of %u bytes from the Node server; rebuild "
                         "runtime-native so both sides speak the same protocol", c->in[offset + 4], len);
          offset += 4 + len;
        }
      memmove (c->in, c->in + offset, c->in_len - offset);
      c->in_len -= offset;
    }
}

int
control_queue (struct control *c, const void *head, size_t head_len, const void *tail, size_t tail_len, size_t reserve)
{
  size_t len = head_len + tail_len;
  if (c->out_len + 4 + len + reserve > CONTROL_OUT_BYTES_MAX)
    return -1;
  uint8_t *p = c->out + c->out_len;
  p[0] = (uint8_t) (len >> 24);
  p[1] = (uint8_t) (len >> 16);
  p[2] = (uint8_t) (len >> 8);
  p[3] = (uint8_t) len;
  memcpy (p + 4, head, head_len);
  if (tail_len > 0)
    memcpy (p + 4 + head_len, tail, tail_len);
  c->out_len += 4 + len;
  return 0;
}

int
control_write (struct control *c, struct error *err)
{
  size_t written = 0;
  while (written < c->out_len)
    {
      ssize_t n = write (c->fd, c->out + written, c->out_len - written);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
          return fail_errno (err, "write the control channel to the Node server");
        }
      written += (size_t) n;
    }
  memmove (c->out, c->out + written, c->out_len - written);
  c->out_len -= written;
  return 0;
}
