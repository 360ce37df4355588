#include "dns_query.h"
#include <string.h>

#define FLAG_QR 0x80
#define TYPE_OPT 41

static uint16_t
read_u16 (const uint8_t *p)
{
  return (uint16_t) (p[0] << 8 | p[1]);
}

/* The offset after a record owner name starting at `offset` (pointers allowed: these are the
 * records after the question), or -1 when it runs past the packet. */
static long
skip_name (const uint8_t *packet, size_t len, size_t offset)
{
  while (offset < len)
    {
      uint8_t label = packet[offset];
      if (label == 0)
        return (long) offset + 1;
      if ((label & 0xc0) == 0xc0)
        return (long) offset + 2;
      if (label > 63)
        return -1;
      offset += 1 + (size_t) label;
    }
  return -1;
}

/* The records after the question: finds the OPT record's UDP size (the last one wins, as in
 * Node). Returns 0, or -1 when they do not parse (Node drops such a packet as malformed). */
static int
read_edns (const uint8_t *packet, size_t len, size_t offset, struct dns_query_key *key)
{
  unsigned records = (unsigned) read_u16 (packet + 6) + read_u16 (packet + 8) + read_u16 (packet + 10);
  key->has_opt = 0;
  key->udp_limit = DNS_CLASSIC_UDP_BYTES;
  for (unsigned i = 0; i < records; i++)
    {
      long end = skip_name (packet, len, offset);
      if (end < 0 || (size_t) end + 10 > len)
        return -1;
      offset = (size_t) end;
      if (read_u16 (packet + offset) == TYPE_OPT)
        {
          uint16_t size = read_u16 (packet + offset + 2);
          key->has_opt = 1;
          key->udp_limit = size < DNS_CLASSIC_UDP_BYTES ? DNS_CLASSIC_UDP_BYTES
                           : size > DNS_SERVER_UDP_BYTES_MAX ? DNS_SERVER_UDP_BYTES_MAX : size;
        }
      offset += 10 + (size_t) read_u16 (packet + offset + 8);
      if (offset > len)
        return -1;
    }
  return 0;
}

int
dns_query_key (const uint8_t *packet, size_t len, uint32_t client, struct dns_query_key *key)
{
  if (len < DNS_HEADER_BYTES || (packet[2] & FLAG_QR) != 0 || ((packet[2] >> 3) & 0x0f) != 0
      || read_u16 (packet + 4) != 1)
    return -1;
  size_t offset = DNS_HEADER_BYTES;
  size_t out = 0;
  for (;;)
    {
      if (offset >= len)
        return -1;
      uint8_t label = packet[offset];
      if (label == 0)
        break;
      /* A pointer or reserved label type in a query's only question, or a name over 255 bytes
       * with its root label: Node does not parse it. */
      if (label > 63 || offset + 1 + label > len || out + 1 + label > 254)
        return -1;
      key->question[out++] = label;
      for (size_t i = offset + 1; i < offset + 1 + label; i++)
        {
          uint8_t c = packet[i];
          /* Node looks up only such plain names; any other is forwarded and never cached. */
          if (c <= 0x20 || c >= 0x7f || c == '.')
            return -1;
          key->question[out++] = (c >= 'A' && c <= 'Z') ? (uint8_t) (c + 32) : c;
        }
      offset += 1 + label;
    }
  key->question[out++] = 0;
  size_t name_end = offset + 1;
  if (name_end + 4 > len)
    return -1;
  memcpy (key->question + out, packet + name_end, 4);
  key->question_len = (uint16_t) (out + 4);
  key->name_end = (uint16_t) name_end;
  key->client = client;
  return read_edns (packet, len, name_end + 4, key);
}

uint64_t
dns_query_key_hash (const struct dns_query_key *key)
{
  uint64_t h = 14695981039346656037ULL;
  uint8_t fixed[7] = { (uint8_t) (key->client >> 24), (uint8_t) (key->client >> 16), (uint8_t) (key->client >> 8),
                       (uint8_t) key->client, (uint8_t) (key->udp_limit >> 8), (uint8_t) key->udp_limit, key->has_opt };
  for (size_t i = 0; i < sizeof fixed; i++)
    h = (h ^ fixed[i]) * 1099511628211ULL;
  for (size_t i = 0; i < key->question_len; i++)
    h = (h ^ key->question[i]) * 1099511628211ULL;
  return h;
}
