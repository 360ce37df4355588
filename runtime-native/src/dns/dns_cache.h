/* The replies swarmts-dns serves without asking Node: full reply bytes by query key, in one
 * fixed arena and one open-addressing index, both sized at start. When either is full the
 * whole cache is emptied: the next queries refill it from Node, and a view change empties it
 * anyway. */
#ifndef SWARMTS_DNS_CACHE_H
#define SWARMTS_DNS_CACHE_H

#include "dns_query.h"
#include <stddef.h>
#include <stdint.h>

/* Flags Node gives with a reply; the ones after CACHEABLE say which counter a hit adds to. */
#define DNS_REPLY_CACHEABLE 0x01
#define DNS_REPLY_COUNTS_AS_ERROR 0x02
#define DNS_REPLY_TRUNCATED 0x04

/* The largest reply kept: Node's cacheable replies fit the client's UDP limit (<= 1232). */
#define DNS_CACHED_REPLY_BYTES_MAX 4096

/* Equal-sized answer records at [start, start + count * record_bytes) that are served rotated by
 * one record per hit, as Node rotates several task addresses (count 0: no rotation). */
struct dns_rotation
{
  uint16_t start, record_bytes, count;
};

struct dns_cache_entry
{
  uint64_t hash;
  uint32_t client;
  uint16_t udp_limit;
  uint8_t has_opt, flags;
  uint16_t question_len, reply_len;
  struct dns_rotation rotation;
  uint32_t hits;   /* replies served from this entry, including Node's first one */
  size_t data;     /* arena offset: the lowercased question, then the reply */
};

struct dns_cache;

/* A cache of at most `entries_max` replies and `bytes_max` bytes of questions and replies;
 * NULL when out of memory. */
struct dns_cache *dns_cache_new (size_t entries_max, size_t bytes_max);
/* Forgets every reply (a view change, or the cache is full). */
void dns_cache_clear (struct dns_cache *cache);
size_t dns_cache_entries (const struct dns_cache *cache);

/* The entry for `key`, or NULL. */
struct dns_cache_entry *dns_cache_find (struct dns_cache *cache, const struct dns_query_key *key, uint64_t hash);

/* Keeps `reply` (Node's reply to the query with `key`) for later queries with the same key;
 * replaces an entry with that key. Returns -1 without storing when the reply is too large or its
 * rotation does not lie inside it. */
int dns_cache_store (struct dns_cache *cache, const struct dns_query_key *key, uint64_t hash, const uint8_t *reply,
                     size_t reply_len, struct dns_rotation rotation, uint8_t flags);

/* Writes the reply to `query` (whose key found `entry`) into `out` (at least entry->reply_len
 * bytes): the stored reply, its answer records rotated by the hit count, with the query's id,
 * RD bit and question name. Returns its length. */
size_t dns_cache_reply (struct dns_cache *cache, struct dns_cache_entry *entry, const uint8_t *query,
                        const struct dns_query_key *key, uint8_t *out);

#endif
