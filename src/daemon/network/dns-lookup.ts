import dgram from 'node:dgram';
import packet from 'dns-packet';
import { SwarmError } from '../../core/errors.js';
import type { DnsLookupResult, LookupType } from '../api-network.js';


/** How long `dns lookup` waits: longer than the server's own forwarding timeout, so an upstream's silence comes back as SERVFAIL. */
const lookupTimeoutMs = 5000;

/** Asks the DNS server at `server`:53 one question over UDP, as a container's resolver does. */
export function dnsLookup(server: string, name: string, type: LookupType): Promise<DnsLookupResult> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const id = Math.floor(Math.random() * 0xffff);
    const done = (err: Error | undefined, result?: DnsLookupResult) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(result!);
    };
    const timer = setTimeout(() => done(new SwarmError('TIMEOUT', `the DNS server on ${server}:53 did not answer within ${lookupTimeoutMs / 1000} s: see the daemon's log`)), lookupTimeoutMs);
    socket.on('error', (err) => done(new SwarmError('UNAVAILABLE', `asking the DNS server on ${server}:53: ${err.message}`)));
    socket.on('message', (message) => {
      // dns-packet returns the rcode, though its typings leave it out.
      let reply: packet.Packet & { rcode?: string };
      try {
        reply = packet.decode(message);
      } catch {
        return;
      }
      if (reply.id !== id) return;
      const answers = (reply.answers ?? []).map((a) => ({ name: a.name, type: a.type, ttl: 'ttl' in a ? a.ttl ?? 0 : 0, data: 'data' in a ? a.data : undefined }));
      done(undefined, { server, name, type, rcode: reply.rcode ?? 'NOERROR', answers });
    });
    socket.send(packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name }] }), 53, server);
  });
}
