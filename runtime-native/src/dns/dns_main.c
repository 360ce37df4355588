/* swarmts-dns: the UDP front of a node's DNS server. It binds the server's UDP port, reads
 * queries in batches (recvmmsg), answers the ones it has a reply for from its cache and sends
 * them in batches (sendmmsg). Every other packet goes to the Node server (src/dns/) over the
 * control channel (dns_control.h), which sends back the reply and says whether it may be kept.
 * Node's per-datagram cost is what this saves: most queries never reach Node.
 *
 * Started by the Node server with the channel on --control-fd; exits when the channel closes,
 * so it never outlives its server. */
#include "../error.h"
#include "dns_cache.h"
#include "dns_control.h"
#include "dns_query.h"
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Datagrams read and sent per system call. */
#define BATCH 32
/* Batches read before looking at the control channel and poll again, so Node is not starved. */
#define BATCHES_PER_WAKE 16
/* Bytes kept free in the queue to Node for replies to its own requests (counters, flush). */
#define CONTROL_RESERVE_BYTES 4096
#define UDP_PACKET_BYTES_MAX 65536

struct options
{
  struct sockaddr_in listen;
  int control_fd;
  size_t entries_max, bytes_max;
  int receive_buffer_bytes;
};

struct counters
{
  uint64_t hits, hit_errors, hit_truncated, dropped;
};

struct server
{
  int udp;
  struct control control;
  struct dns_cache *cache;
  struct counters counters;
  struct error err;
};

static void
usage (void)
{
  fputs ("usage: swarmts-dns --listen IPV4:PORT --control-fd N [--entries-max N] [--bytes-max N]\n"
         "                   [--receive-buffer-bytes N]\n"
         "Started by the swarmts daemon's DNS server, which owns the other end of the control fd.\n", stderr);
}

static int
parse_size (const char *text, const char *what, size_t min, size_t max, size_t *out)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull (text, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max)
    {
      fprintf (stderr, "swarmts-dns: %s: expected an integer in %zu..%zu, got \"%s\"\n", what, min, max, text);
      return -1;
    }
  *out = (size_t) v;
  return 0;
}

static int
parse_listen (const char *text, struct sockaddr_in *out)
{
  char host[64];
  const char *colon = strrchr (text, ':');
  size_t port;
  if (colon == NULL || (size_t) (colon - text) >= sizeof host)
    goto bad;
  memcpy (host, text, (size_t) (colon - text));
  host[colon - text] = '\0';
  *out = (struct sockaddr_in) { .sin_family = AF_INET };
  if (inet_pton (AF_INET, host, &out->sin_addr) != 1 || parse_size (colon + 1, "--listen port", 0, 65535, &port) < 0)
    goto bad;
  out->sin_port = htons ((uint16_t) port);
  return 0;
bad:
  fprintf (stderr, "swarmts-dns: --listen: expected IPV4:PORT (e.g. 10.200.3.1:53), got \"%s\"\n", text);
  return -1;
}

static int
parse_options (int argc, char **argv, struct options *o)
{
  static const struct option options[] = {
    { "listen", required_argument, NULL, 'l' }, { "control-fd", required_argument, NULL, 'c' },
    { "entries-max", required_argument, NULL, 'e' }, { "bytes-max", required_argument, NULL, 'b' },
    { "receive-buffer-bytes", required_argument, NULL, 'r' }, { NULL, 0, NULL, 0 },
  };
  *o = (struct options) { .control_fd = -1, .entries_max = 20000, .bytes_max = 16 << 20 };
  int c, listen_set = 0;
  size_t v;
  while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (c)
      {
      case 'l': if (parse_listen (optarg, &o->listen) < 0) return -1; listen_set = 1; break;
      case 'c': if (parse_size (optarg, "--control-fd", 0, 1 << 20, &v) < 0) return -1; o->control_fd = (int) v; break;
      case 'e': if (parse_size (optarg, "--entries-max", 1, 10000000, &o->entries_max) < 0) return -1; break;
      case 'b': if (parse_size (optarg, "--bytes-max", 65536, (size_t) 1 << 32, &o->bytes_max) < 0) return -1; break;
      case 'r': if (parse_size (optarg, "--receive-buffer-bytes", 4096, 1 << 30, &v) < 0) return -1;
                o->receive_buffer_bytes = (int) v; break;
      default: usage (); return -1;
      }
  if (!listen_set || o->control_fd < 0 || optind != argc)
    {
      usage ();
      return -1;
    }
  return 0;
}

/* Tells Node why this process is about to exit; Node puts it into its own error. */
static void
report_fatal (struct server *s)
{
  control_queue (&s->control, "E", 1, s->err.message, strlen (s->err.message), 0);
  control_write (&s->control, &s->err);
  fprintf (stderr, "swarmts-dns: %s\n", s->err.message);
}

static int
bind_udp (struct server *s, const struct options *o)
{
  char where[64];
  inet_ntop (AF_INET, &o->listen.sin_addr, where, sizeof where);
  s->udp = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->udp < 0)
    return fail_errno (&s->err, "create a UDP socket");
  if (bind (s->udp, (const struct sockaddr *) &o->listen, sizeof o->listen) < 0)
    return fail_errno (&s->err, "bind UDP %s:%u", where, ntohs (o->listen.sin_port));
  /* Without the larger buffer the kernel keeps its default: fewer queries survive a burst. */
  if (o->receive_buffer_bytes > 0)
    setsockopt (s->udp, SOL_SOCKET, SO_RCVBUF, &o->receive_buffer_bytes, sizeof o->receive_buffer_bytes);
  struct sockaddr_in bound;
  socklen_t len = sizeof bound;
  if (getsockname (s->udp, (struct sockaddr *) &bound, &len) < 0)
    return fail_errno (&s->err, "read the bound port of UDP %s", where);
  uint8_t ready[3] = { 'R', (uint8_t) (ntohs (bound.sin_port) >> 8), (uint8_t) ntohs (bound.sin_port) };
  control_queue (&s->control, ready, sizeof ready, NULL, 0, 0);
  return 0;
}

static uint16_t
u16_at (const uint8_t *p)
{
  return (uint16_t) (p[0] << 8 | p[1]);
}

/* An 'A' frame: send Node's reply, and keep it when Node says it may be reused. */
static int
on_answer (struct server *s, const uint8_t *body, size_t len)
{
  if (len < 18)
    return -1;
  struct sockaddr_in to = { .sin_family = AF_INET };
  memcpy (&to.sin_addr, body + 1, 4);
  memcpy (&to.sin_port, body + 5, 2);
  uint8_t flags = body[7];
  struct dns_rotation rotation = { u16_at (body + 8), u16_at (body + 10), u16_at (body + 12) };
  size_t query_len = u16_at (body + 14);
  if (16 + query_len > len)
    return -1;
  const uint8_t *query = body + 16, *reply = body + 16 + query_len;
  size_t reply_len = len - 16 - query_len;
  /* A failed send is one lost reply; the client retries. */
  sendto (s->udp, reply, reply_len, MSG_DONTWAIT, (const struct sockaddr *) &to, sizeof to);
  struct dns_query_key key;
  if ((flags & DNS_REPLY_CACHEABLE) && dns_query_key (query, query_len, to.sin_addr.s_addr, &key) == 0)
    dns_cache_store (s->cache, &key, dns_query_key_hash (&key), reply, reply_len, rotation, flags);
  return 0;
}

static int
on_frame (void *ctx, const uint8_t *body, size_t len)
{
  struct server *s = ctx;
  switch (body[0])
    {
    case 'A':
      return on_answer (s, body, len);
    case 'F':
      if (len != 5)
        return -1;
      dns_cache_clear (s->cache);
      return control_queue (&s->control, body, len, NULL, 0, 0) < 0 ? -1 : 0;
    case 'C':
      {
        if (len != 5)
          return -1;
        uint8_t out[5 + 4 * 8];
        memcpy (out, body, 5);
        uint64_t values[4] = { s->counters.hits, s->counters.hit_errors, s->counters.hit_truncated, s->counters.dropped };
        for (int i = 0; i < 4; i++)
          for (int b = 0; b < 8; b++)
            out[5 + i * 8 + b] = (uint8_t) (values[i] >> (56 - 8 * b));
        return control_queue (&s->control, out, sizeof out, NULL, 0, 0) < 0 ? -1 : 0;
      }
    default:
      return -1;
    }
}

/* Hands one query to Node; drops it when Node is that far behind (the client retries). */
static void
pass_to_node (struct server *s, const uint8_t *packet, size_t len, const struct sockaddr_in *from)
{
  uint8_t head[7] = { 'Q' };
  memcpy (head + 1, &from->sin_addr, 4);
  memcpy (head + 5, &from->sin_port, 2);
  if (control_queue (&s->control, head, sizeof head, packet, len, CONTROL_RESERVE_BYTES) < 0)
    s->counters.dropped++;
}

struct batch
{
  struct mmsghdr in[BATCH], out[BATCH];
  struct iovec in_iov[BATCH], out_iov[BATCH];
  struct sockaddr_in from[BATCH];
  uint8_t *packets, *replies;
};

static int
batch_init (struct batch *b, struct error *err)
{
  b->packets = malloc ((size_t) BATCH * UDP_PACKET_BYTES_MAX);
  b->replies = malloc ((size_t) BATCH * DNS_CACHED_REPLY_BYTES_MAX);
  if (b->packets == NULL || b->replies == NULL)
    return fail (err, "no memory for the receive batch");
  return 0;
}

/* Reads one batch and answers it. Returns the number of datagrams read (0: none waiting). */
static int
serve_batch (struct server *s, struct batch *b)
{
  for (int i = 0; i < BATCH; i++)
    {
      b->in_iov[i] = (struct iovec) { b->packets + (size_t) i * UDP_PACKET_BYTES_MAX, UDP_PACKET_BYTES_MAX };
      b->in[i].msg_hdr = (struct msghdr) { .msg_name = &b->from[i], .msg_namelen = sizeof b->from[i],
                                           .msg_iov = &b->in_iov[i], .msg_iovlen = 1 };
    }
  int n = recvmmsg (s->udp, b->in, BATCH, MSG_DONTWAIT, NULL);
  if (n <= 0)
    return 0;
  int hits = 0;
  for (int i = 0; i < n; i++)
    {
      const uint8_t *packet = b->in_iov[i].iov_base;
      size_t len = b->in[i].msg_len;
      struct dns_query_key key;
      struct dns_cache_entry *entry = NULL;
      if (b->in[i].msg_hdr.msg_namelen == sizeof (struct sockaddr_in)
          && dns_query_key (packet, len, b->from[i].sin_addr.s_addr, &key) == 0)
        entry = dns_cache_find (s->cache, &key, dns_query_key_hash (&key));
      if (entry == NULL)
        {
          pass_to_node (s, packet, len, &b->from[i]);
          continue;
        }
      uint8_t *out = b->replies + (size_t) hits * DNS_CACHED_REPLY_BYTES_MAX;
      b->out_iov[hits] = (struct iovec) { out, dns_cache_reply (s->cache, entry, packet, &key, out) };
      b->out[hits].msg_hdr = (struct msghdr) { .msg_name = &b->from[i], .msg_namelen = sizeof b->from[i],
                                               .msg_iov = &b->out_iov[hits], .msg_iovlen = 1 };
      s->counters.hits++;
      s->counters.hit_errors += (entry->flags & DNS_REPLY_COUNTS_AS_ERROR) != 0;
      s->counters.hit_truncated += (entry->flags & DNS_REPLY_TRUNCATED) != 0;
      hits++;
    }
  /* A failed send (a full socket buffer) loses those replies; the clients retry. */
  for (int sent = 0; sent < hits;)
    {
      int m = sendmmsg (s->udp, b->out + sent, (unsigned) (hits - sent), MSG_DONTWAIT);
      if (m <= 0)
        break;
      sent += m;
    }
  return n;
}

static int
run (struct server *s)
{
  struct batch b;
  if (batch_init (&b, &s->err) < 0)
    return -1;
  for (;;)
    {
      struct pollfd fds[2] = { { .fd = s->control.fd, .events = POLLIN | (s->control.out_len > 0 ? POLLOUT : 0) },
                               { .fd = s->udp, .events = POLLIN } };
      if (poll (fds, 2, -1) < 0 && errno != EINTR)
        return fail_errno (&s->err, "poll");
      /* The control channel is read before every batch: a flush Node sent before a query
       * arrived must apply to that query. */
      for (int i = 0; i < BATCHES_PER_WAKE; i++)
        {
          int r = control_read (&s->control, on_frame, s, &s->err);
          if (r != 0)
            return r;
          if (serve_batch (s, &b) < BATCH)
            break;
        }
      if (control_write (&s->control, &s->err) < 0)
        return -1;
    }
}

int
main (int argc, char **argv)
{
  struct options o;
  if (parse_options (argc, argv, &o) < 0)
    return 2;
  /* The channel closing ends us; a signal-less write to a closed channel must not kill us first. */
  signal (SIGPIPE, SIG_IGN);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  struct server s = { .udp = -1 };
  if (control_init (&s.control, o.control_fd, &s.err) < 0)
    {
      fprintf (stderr, "swarmts-dns: %s\n", s.err.message);
      return 1;
    }
  s.cache = dns_cache_new (o.entries_max, o.bytes_max);
  if (s.cache == NULL)
    fail (&s.err, "no memory for a cache of %zu entries and %zu bytes; lower answerCacheEntriesMax", o.entries_max,
          o.bytes_max);
  if (s.cache == NULL || bind_udp (&s, &o) < 0 || control_write (&s.control, &s.err) < 0)
    {
      report_fatal (&s);
      return 1;
    }
  int r = run (&s);
  if (r < 0)
    {
      report_fatal (&s);
      return 1;
    }
  return 0;
}
