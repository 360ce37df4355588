#include "dns_cache.h"
#include <stdlib.h>
#include <string.h>

#define FLAG_RD 0x01

struct dns_cache
{
  struct dns_cache_entry *entries;
  size_t entries_len, entries_max;
  uint32_t *slots; /* entry index + 1; 0 is an empty slot */
  size_t slots_mask;
  uint8_t *arena;
  size_t arena_len, arena_max;
};

struct dns_cache *
dns_cache_new (size_t entries_max, size_t bytes_max)
{
  size_t slots = 16;
  /* At most half the slots are taken, so probes stay short. */
  while (slots < 2 * entries_max)
    slots *= 2;
  struct dns_cache *cache = calloc (1, sizeof *cache);
  if (cache == NULL)
    return NULL;
  cache->entries = calloc (entries_max, sizeof *cache->entries);
  cache->slots = calloc (slots, sizeof *cache->slots);
  cache->arena = malloc (bytes_max);
  if (cache->entries == NULL || cache->slots == NULL || cache->arena == NULL)
    {
      free (cache->entries);
      free (cache->slots);
      free (cache->arena);
      free (cache);
      return NULL;
    }
  cache->entries_max = entries_max;
  cache->slots_mask = slots - 1;
  cache->arena_max = bytes_max;
  return cache;
}

void
dns_cache_clear (struct dns_cache *cache)
{
  memset (cache->slots, 0, (cache->slots_mask + 1) * sizeof *cache->slots);
  cache->entries_len = 0;
  cache->arena_len = 0;
}

size_t
dns_cache_entries (const struct dns_cache *cache)
{
  return cache->entries_len;
}

static int
same_key (const struct dns_cache *cache, const struct dns_cache_entry *e, const struct dns_query_key *key, uint64_t hash)
{
  return e->hash == hash && e->client == key->client && e->udp_limit == key->udp_limit && e->has_opt == key->has_opt
         && e->question_len == key->question_len && memcmp (cache->arena + e->data, key->question, key->question_len) == 0;
}

/* The slot holding `key`, or the empty slot where it would go. */
static uint32_t *
probe (struct dns_cache *cache, const struct dns_query_key *key, uint64_t hash)
{
  for (size_t i = hash & cache->slots_mask;; i = (i + 1) & cache->slots_mask)
    {
      uint32_t *slot = &cache->slots[i];
      if (*slot == 0 || same_key (cache, &cache->entries[*slot - 1], key, hash))
        return slot;
    }
}

struct dns_cache_entry *
dns_cache_find (struct dns_cache *cache, const struct dns_query_key *key, uint64_t hash)
{
  uint32_t *slot = probe (cache, key, hash);
  return *slot == 0 ? NULL : &cache->entries[*slot - 1];
}

int
dns_cache_store (struct dns_cache *cache, const struct dns_query_key *key, uint64_t hash, const uint8_t *reply,
                 size_t reply_len, struct dns_rotation rotation, uint8_t flags)
{
  size_t bytes = (size_t) key->question_len + reply_len;
  size_t rotated_end = (size_t) rotation.start + (size_t) rotation.count * rotation.record_bytes;
  if (reply_len > DNS_CACHED_REPLY_BYTES_MAX || reply_len < (size_t) key->name_end + 4 || bytes > cache->arena_max
      || (rotation.count > 0 && (rotation.start < key->name_end + 4 || rotated_end > reply_len)))
    return -1;
  uint32_t *slot = probe (cache, key, hash);
  /* A replaced entry's old bytes stay in the arena until the next clear: replacing is rare
   * (Node only answers a key again when it fell out of the cache). */
  if ((*slot == 0 && cache->entries_len == cache->entries_max) || cache->arena_len + bytes > cache->arena_max)
    {
      dns_cache_clear (cache);
      slot = probe (cache, key, hash);
    }
  if (*slot == 0)
    *slot = (uint32_t) ++cache->entries_len;
  struct dns_cache_entry *e = &cache->entries[*slot - 1];
  *e = (struct dns_cache_entry) { .hash = hash, .client = key->client, .udp_limit = key->udp_limit,
                                  .has_opt = key->has_opt, .flags = flags, .question_len = key->question_len,
                                  .reply_len = (uint16_t) reply_len, .rotation = rotation.count > 1 ? rotation : (struct dns_rotation) { 0, 0, 0 },
                                  .hits = 1, .data = cache->arena_len };
  memcpy (cache->arena + e->data, key->question, key->question_len);
  memcpy (cache->arena + e->data + key->question_len, reply, reply_len);
  cache->arena_len += bytes;
  return 0;
}

size_t
dns_cache_reply (struct dns_cache *cache, struct dns_cache_entry *entry, const uint8_t *query,
                 const struct dns_query_key *key, uint8_t *out)
{
  const uint8_t *stored = cache->arena + entry->data + entry->question_len;
  size_t len = entry->reply_len;
  const struct dns_rotation *r = &entry->rotation;
  uint32_t shift = r->count > 1 ? entry->hits % r->count : 0;
  entry->hits++;
  if (shift == 0)
    memcpy (out, stored, len);
  else
    {
      size_t first = r->start + (size_t) shift * r->record_bytes;
      size_t end = r->start + (size_t) r->count * r->record_bytes;
      memcpy (out, stored, r->start);
      memcpy (out + r->start, stored + first, end - first);
      memcpy (out + r->start + (end - first), stored + r->start, first - r->start);
      memcpy (out + end, stored + end, len - end);
    }
  out[0] = query[0];
  out[1] = query[1];
  out[2] = (uint8_t) ((out[2] & ~FLAG_RD) | (query[2] & FLAG_RD));
  memcpy (out + DNS_HEADER_BYTES, query + DNS_HEADER_BYTES, key->name_end - DNS_HEADER_BYTES);
  return len;
}
