/* The channel between swarmts-dns and the Node DNS server: a Unix stream socket (Node has no
 * Unix datagram sockets) carrying frames of a 4-byte big-endian body length, then the body,
 * whose first byte is its kind.
 *
 * swarmts-dns to Node:
 *   'R' port:u16                          bound and reading
 *   'Q' client:4 port:u16 packet          a query it has no reply for
 *   'F' version:u32                       flushed: answers from older views are gone
 *   'C' request:u32 hits:u64 hit_errors:u64 hit_truncated:u64 dropped:u64
 *   'E' message                           a fatal error; it exits next
 * Node to swarmts-dns:
 *   'A' client:4 port:u16 flags:u8 rotation_start:u16 rotation_record_bytes:u16 rotation_count:u16
 *       query_len:u16 query reply         send `reply`, and keep it when flags say cacheable
 *   'F' version:u32                       the view changed: forget every reply
 *   'C' request:u32                       report the counters */
#ifndef SWARMTS_DNS_CONTROL_H
#define SWARMTS_DNS_CONTROL_H

#include "../error.h"
#include <stddef.h>
#include <stdint.h>

/* The largest frame body: an 'A' frame with a full-size query and reply. */
#define CONTROL_FRAME_BYTES_MAX (16 + 2 * 65536)
/* Bytes queued for Node before further queries are dropped: a few thousand queries. */
#define CONTROL_OUT_BYTES_MAX (4 * 1024 * 1024)

struct control
{
  int fd;
  uint8_t *in;
  size_t in_len;
  uint8_t *out;
  size_t out_len;
};

/* Called for each whole frame read: body[0] is its kind. Returns -1 to stop reading. */
typedef int (*control_frame_fn) (void *ctx, const uint8_t *body, size_t len);

int control_init (struct control *c, int fd, struct error *err);
/* Reads what Node has sent, without blocking, and hands each whole frame to `on_frame`.
 * Returns 0, 1 when Node closed the channel, -1 on error. */
int control_read (struct control *c, control_frame_fn on_frame, void *ctx, struct error *err);
/* Queues a frame of `head` then `tail` (either may be empty). Returns -1 when the queue has no
 * room left (`reserve` bytes are kept free for frames that must not be dropped). */
int control_queue (struct control *c, const void *head, size_t head_len, const void *tail, size_t tail_len,
                   size_t reserve);
/* Writes what is queued, as far as the socket takes it without blocking. */
int control_write (struct control *c, struct error *err);

#endif
