/**
 * Answers DNS messages: from the zone when the name is the cluster's, from the upstream
 * resolvers otherwise. Owns the zone, the prepared replies and the counters; the sockets are
 * the caller's (dns-server.ts in the daemon, dns-udp-worker.ts in a helper process), or those of
 * swarmts-dns, the native UDP front, which passes on what it has no reply for.
 *
 * Queries are answered inside the socket callbacks, not queued: an answer is a cache lookup
 * and a copy, and a queue would only add latency and allocation per query. Each distinct
 * question is looked up in the zone and encoded once per view; later queries copy the
 * prepared reply and patch in their id, letter case and EDNS record.
 */
import type dgram from 'node:dgram';
import type net from 'node:net';
import { AnswerCache, type CachedDecision } from './answer-cache.js';
import type { DnsServerConfig } from './dns-config.js';
import { DnsForwarder } from './dns-forwarder.js';
import type { DnsView } from './dns-view.js';
import {
  classicUdpBytesMax, errorReply, parseQuery, personalizeReply, questionName, serverUdpBytesMax, truncatedReply,
  type ParsedQuery, type Rcode,
} from './dns-wire.js';
import { buildDnsZone, clientScope, type DnsClientScope, type DnsZone } from './dns-zone.js';
import { answerInScope } from './zone-answer.js';
import { prepareReply } from './prepare-reply.js';
import type { ReplyReuse } from './udp-front-protocol.js';

/** What a server has done since it started: for `swarmts info`. */
export interface DnsCounters {
  /** Datagrams and TCP messages received. */
  queries: number;
  /** Replies made from the zone (NOERROR, NXDOMAIN, REFUSED for non-IN classes). */
  answeredLocally: number;
  /** Queries sent upstream. */
  forwarded: number;
  /** UDP replies cut to header and question, with TC set, because the client accepts fewer bytes. */
  truncated: number;
  /** Packets that did not parse as a query, or were responses: dropped without a reply. */
  malformed: number;
  /** Replies with FORMERR, NOTIMP, REFUSED or SERVFAIL (forwarding failed, or an answer did not encode). */
  errors: number;
}

/** All counters at zero. */
export function zeroCounters(): DnsCounters {
  return { queries: 0, answeredLocally: 0, forwarded: 0, truncated: 0, malformed: 0, errors: 0 };
}

/** The zone and the replies prepared from it: replaced together so no query sees a mix. */
interface ZoneState {
  zone: DnsZone;
  cache: AnswerCache;
}

/** A decision to answer from the zone. */
type LocalDecision = Extract<CachedDecision, { kind: 'local' }>;

/** The decision to send a query upstream, as `reply` returns it. */
const forward: unique symbol = Symbol('forward');

/** Answers queries from one view at a time; `close()` ends its pending forwards. */
export class DnsResponder {
  private state: ZoneState;
  private readonly forwarder: DnsForwarder;
  private readonly stats = zeroCounters();
  /** Set by `close()`: the sockets are closing, so forwards that end now send nothing. */
  private closed = false;

  constructor(private readonly config: DnsServerConfig, view: DnsView) {
    this.state = this.stateFor(view);
    this.forwarder = new DnsForwarder(config);
  }

  /** Replaces what is answered; the next query already sees the new view. */
  setView(view: DnsView): void {
    this.state = this.stateFor(view);
  }

  /** A copy of the counters. */
  counters(): DnsCounters {
    return { ...this.stats };
  }

  /** Problems of the current view (addresses that are not IPv4), for the daemon's log. */
  viewProblems(): string[] {
    return [...this.state.zone.skipped];
  }

  /** Ends pending forwards: their clients get no reply. */
  close(): void {
    this.closed = true;
    this.forwarder.close();
  }

  /** Answers one datagram on `udp`, now or when the upstream replies. */
  answerDatagram(udp: dgram.Socket, packet: Buffer, from: dgram.RemoteInfo): void {
    const parsed = parseQuery(packet);
    const reply = this.reply(packet, parsed, from.address);
    if (reply === undefined) return;
    if (reply !== forward) {
      udp.send(this.fitUdp(reply, parsed!), from.port, from.address);
      return;
    }
    this.stats.forwarded++;
    void this.forwarder.forward(packet, 'udp').then((upstream) => {
      if (!this.closed) udp.send(upstream ?? this.refuse(packet, parsed!, 'SERVFAIL'), from.port, from.address);
    });
  }

  /**
   * Answers one datagram that the native UDP front (swarmts-dns) passed on, from `address`:
   * `send` gets the reply, now or when the upstream replies, and for a zone answer how the front
   * may serve it again to the same client, question and EDNS size until the next view. Error
   * replies and forwarded answers are not reused: the former are rare, the latter are not ours.
   */
  answerFrontDatagram(packet: Buffer, address: string, send: (reply: Buffer, reuse: ReplyReuse | undefined) => void): void {
    const parsed = parseQuery(packet);
    const decision = this.lookup(packet, parsed, address);
    if (decision === undefined) return;
    if (Buffer.isBuffer(decision)) {
      send(decision, undefined);
    } else if (decision === forward) {
      this.stats.forwarded++;
      void this.forwarder.forward(packet, 'udp').then((upstream) => {
        if (!this.closed) send(upstream ?? this.refuse(packet, parsed!, 'SERVFAIL'), undefined);
      });
    } else {
      const whole = this.personalize(decision, packet, parsed!);
      const reply = this.fitUdp(whole, parsed!);
      const truncated = reply !== whole;
      send(reply, { countsAsError: decision.rcode === 'REFUSED', truncated, rotation: truncated ? undefined : decision.reply.rotation });
    }
  }

  /** Answers one message read from a TCP connection, now or when the upstream replies. */
  answerTcpMessage(socket: net.Socket, message: Buffer): void {
    const parsed = parseQuery(message);
    const reply = this.reply(message, parsed, socket.remoteAddress ?? '');
    if (reply === undefined) return;
    if (reply !== forward) {
      writeTcp(socket, reply);
      return;
    }
    this.stats.forwarded++;
    void this.forwarder.forward(message, 'tcp').then((upstream) => {
      if (!this.closed) writeTcp(socket, upstream ?? this.refuse(message, parsed!, 'SERVFAIL'));
    });
  }

  private stateFor(view: DnsView): ZoneState {
    return { zone: buildDnsZone(view), cache: new AnswerCache(this.config.answerCacheEntriesMax) };
  }

  /** The reply from the zone, `forward`, or undefined for a packet that gets none. */
  private reply(packet: Buffer, parsed: ParsedQuery | undefined, address: string): Buffer | typeof forward | undefined {
    const decision = this.lookup(packet, parsed, address);
    if (decision === undefined || decision === forward || Buffer.isBuffer(decision)) return decision;
    return this.personalize(decision, packet, parsed!);
  }

  /** The zone's decision for a query, an error reply, `forward`, or undefined for a packet that gets none. */
  private lookup(packet: Buffer, parsed: ParsedQuery | undefined, address: string): LocalDecision | Buffer | typeof forward | undefined {
    this.stats.queries++;
    if (parsed === undefined) {
      this.stats.malformed++;
      return undefined;
    }
    if (parsed.opcode !== 0) return this.refuse(packet, parsed, 'NOTIMP');
    if (parsed.questionCount !== 1) return this.refuse(packet, parsed, 'FORMERR');
    if (parsed.nameKey === undefined) return forward;
    const { zone, cache } = this.state;
    const scope = clientScope(zone, address.startsWith('::ffff:') ? address.slice(7) : address);
    let decision = cache.get(scope.id, parsed.type, parsed.class, parsed.nameKey);
    if (decision === undefined) {
      decision = decide(packet, parsed, zone, scope);
      if (decision === undefined) return this.refuse(packet, parsed, 'SERVFAIL');
      cache.set(scope.id, parsed.type, parsed.class, parsed.nameKey, decision);
    }
    return decision.kind === 'forward' ? forward : decision;
  }

  /** The prepared reply for this query (its id, case, EDNS), counted as answered locally. */
  private personalize(decision: LocalDecision, packet: Buffer, parsed: ParsedQuery): Buffer {
    this.stats.answeredLocally++;
    if (decision.rcode === 'REFUSED') this.stats.errors++;
    return personalizeReply(decision.reply, packet, parsed, decision.hits++);
  }

  private refuse(packet: Buffer, parsed: ParsedQuery, rcode: Rcode): Buffer {
    this.stats.errors++;
    return errorReply(packet, parsed, rcode);
  }

  /** The reply as a UDP client may receive it: whole, or truncated when over its limit. */
  private fitUdp(reply: Buffer, parsed: ParsedQuery): Buffer {
    const limit = Math.min(parsed.ednsUdpBytes ?? classicUdpBytesMax, serverUdpBytesMax);
    if (reply.length <= limit) return reply;
    this.stats.truncated++;
    return truncatedReply(reply, parsed);
  }
}

/** Looks the question up and prepares the reply; undefined when the answer does not encode. */
function decide(packet: Buffer, parsed: ParsedQuery, zone: DnsZone, scope: DnsClientScope): CachedDecision | undefined {
  const question = { name: questionName(packet), type: typeMnemonic(parsed.type), class: parsed.class === 1 ? 'IN' : `CLASS${parsed.class}` };
  const zoneAnswer = answerInScope(zone, question, scope);
  if (zoneAnswer.kind === 'forward') return zoneAnswer;
  try {
    return { kind: 'local', reply: prepareReply(packet, parsed, zoneAnswer), rcode: zoneAnswer.rcode, hits: 0 };
  } catch {
    return undefined;
  }
}

function writeTcp(socket: net.Socket, reply: Buffer): void {
  if (socket.destroyed) return;
  const prefix = Buffer.allocUnsafe(2);
  prefix.writeUInt16BE(reply.length, 0);
  socket.write(Buffer.concat([prefix, reply]));
}

const typeMnemonics: Record<number, string> = { 1: 'A', 12: 'PTR', 28: 'AAAA', 33: 'SRV', 255: 'ANY' };

/** The zone needs only the types it answers by name; any other is "TYPEn" and gets NODATA. */
function typeMnemonic(type: number): string {
  return typeMnemonics[type] ?? `TYPE${type}`;
}
