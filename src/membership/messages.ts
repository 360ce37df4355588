import type { MemberStatus, NodeMeta } from './types.js';

/**
 * The membership wire protocol: plain objects the shell encodes (msgpackr frames on a
 * stream, or a gossipsub publish) and decodes, then checks with validateMembershipMessage
 * before handing them to Membership.receive. Every message carries the version `v`.
 */

/** The protocol version this code speaks. Bump it on any incompatible change. */
export const membershipProtocolVersion = 1;

/** A member announces it is alive at `incarnation`, with its metadata. */
export interface AliveUpdate {
  readonly kind: 'alive';
  readonly incarnation: number;
  readonly meta: NodeMeta;
}

/** `from` suspects member `id` at `incarnation` (or confirms someone else's suspicion). */
export interface SuspectUpdate {
  readonly kind: 'suspect';
  readonly id: string;
  readonly incarnation: number;
  readonly from: string;
}

/** `from` declares member `id` dead at `incarnation`; `from === id` means it left gracefully. */
export interface DeadUpdate {
  readonly kind: 'dead';
  readonly id: string;
  readonly incarnation: number;
  readonly from: string;
}

/** A change to one member, piggybacked on probe traffic and gossip. */
export type MemberUpdate = AliveUpdate | SuspectUpdate | DeadUpdate;

/** Direct probe. `target` guards against acking for a peer that has since changed identity. */
export interface PingMessage {
  readonly v: number;
  readonly type: 'ping';
  readonly seq: number;
  readonly target: string;
  readonly updates: readonly MemberUpdate[];
}

/** Answer to a ping, or to a ping-req once the target answered. */
export interface AckMessage {
  readonly v: number;
  readonly type: 'ack';
  readonly seq: number;
  readonly updates: readonly MemberUpdate[];
}

/** An intermediary heard nothing from the target: tells the prober the intermediary itself is fine. */
export interface NackMessage {
  readonly v: number;
  readonly type: 'nack';
  readonly seq: number;
}

/** Ask the receiver to probe `target` on the sender's behalf and ack or nack `seq`. */
export interface PingReqMessage {
  readonly v: number;
  readonly type: 'ping-req';
  readonly seq: number;
  readonly target: string;
  readonly updates: readonly MemberUpdate[];
}

/** Updates alone: periodic gossip to random peers, and what the shell publishes on gossipsub. */
export interface GossipMessage {
  readonly v: number;
  readonly type: 'gossip';
  readonly updates: readonly MemberUpdate[];
}

/** One member's full state in a push-pull exchange. */
export interface MemberState {
  readonly meta: NodeMeta;
  readonly incarnation: number;
  readonly status: MemberStatus;
}

/**
 * Full-state anti-entropy. The initiator sends `reply: false`; the receiver merges it,
 * then answers with its own state and `reply: true`, so a refutation caused by the
 * request is already in the answer.
 */
export interface PushPullMessage {
  readonly v: number;
  readonly type: 'push-pull';
  readonly reply: boolean;
  readonly members: readonly MemberState[];
}

/** Every message of the membership protocol. */
export type MembershipMessage =
  | PingMessage
  | AckMessage
  | NackMessage
  | PingReqMessage
  | GossipMessage
  | PushPullMessage;

/** A message addressed to one peer, for the shell to send. */
export interface OutboundMessage {
  readonly to: string;
  readonly message: MembershipMessage;
}
