/* What swarmts-dns reads of a UDP query: the key its cached reply is stored under, and
 * where the question name lies so a cached reply can take this query's letter case. */
#ifndef SWARMTS_DNS_QUERY_H
#define SWARMTS_DNS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_BYTES 12
/* A name is at most 255 bytes in wire form (RFC 1035 3.1); the question adds type and class. */
#define DNS_QUESTION_BYTES_MAX (255 + 4)
/* The UDP payload a client without EDNS accepts, and the most this server announces (as the
 * Node server does: dns-wire.ts classicUdpBytesMax and serverUdpBytesMax). */
#define DNS_CLASSIC_UDP_BYTES 512
#define DNS_SERVER_UDP_BYTES_MAX 1232

/* Everything the Node server's reply to a cluster name depends on, besides the id, the RD bit
 * and the letter case of the name, which are patched in per query. */
struct dns_query_key
{
  uint32_t client;      /* IPv4 address, network order: the answer is scoped by who asks */
  uint16_t udp_limit;   /* bytes the reply may have: 512, or the EDNS size capped at 1232 */
  uint8_t has_opt;      /* the query had an OPT record, so the reply carries one */
  uint16_t name_end;    /* offset of the byte after the question name */
  uint16_t question_len;
  uint8_t question[DNS_QUESTION_BYTES_MAX]; /* name, type, class; the name lowercased */
};

/* Fills `key` for a standard query with one question whose name is plain printable ASCII,
 * read the way the Node server reads it (dns-wire.ts parseQuery). Returns 0, or -1 for any
 * other packet: the Node server then decides what it gets. Never reads past `len`. */
int dns_query_key (const uint8_t *packet, size_t len, uint32_t client, struct dns_query_key *key);

/* A 64-bit hash of the key's fields (FNV-1a). */
uint64_t dns_query_key_hash (const struct dns_query_key *key);

#endif
