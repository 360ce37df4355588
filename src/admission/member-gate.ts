import type { MemberState, MemberUpdate, MembershipMessage } from '../membership/messages.js';
import type { NodeMeta, NodeRole } from '../membership/types.js';
import type { CertificateVerifier } from './certificate.js';

/** What the gate made of one message. */
export interface GateVerdict {
  /** The message to hand to Membership, without the claims that failed; undefined when the sender is not a member. */
  message: MembershipMessage | undefined;
  /** Why claims or the message were refused, for the log. */
  refusals: string[];
}

/**
 * Keeps strangers out of membership: a peer is heard only once a valid admission
 * certificate for it has been seen (in its own or anyone's `alive` claim about it), and an
 * `alive` claim whose certificate does not verify, or claims another role than the
 * certificate grants, is removed before Membership sees it. Acks are the one exception
 * (see admit). Suspicions and deaths of
 * unknown ids pass: Membership ignores members it does not know.
 */
export class MemberGate {
  private readonly admitted = new Map<string, NodeRole>();

  constructor(
    private readonly verifier: CertificateVerifier,
    self: NodeMeta,
  ) {
    this.admitted.set(self.id, self.role);
  }

  /** Whether `peerId` has shown a valid certificate. */
  isMember(peerId: string): boolean {
    return this.admitted.has(peerId);
  }

  /** The role `peerId`'s certificate grants, or undefined when it has shown none. */
  roleOf(peerId: string): NodeRole | undefined {
    return this.admitted.get(peerId);
  }

  /** Checks a metadata record's certificate; records the peer as admitted when it holds. */
  check(meta: NodeMeta): string | undefined {
    try {
      const claims = this.verifier.verify(meta.admission, meta.id);
      if (claims.role !== meta.role) return `${meta.id} claims role ${meta.role} but was admitted as ${claims.role}`;
      this.admitted.set(meta.id, claims.role);
      return undefined;
    } catch (err) {
      return `${meta.id}: ${(err as Error).message}`;
    }
  }

  /** Filters one received message (see the class comment). */
  admit(from: string, message: MembershipMessage): GateVerdict {
    const refusals: string[] = [];
    const keepUpdate = (update: MemberUpdate): boolean => update.kind !== 'alive' || this.keep(update.meta, refusals);
    const keepState = (state: MemberState): boolean => this.keep(state.meta, refusals);
    let filtered: MembershipMessage;
    switch (message.type) {
      case 'ping':
      case 'ack':
      case 'ping-req':
      case 'gossip':
        filtered = { ...message, updates: message.updates.filter(keepUpdate) };
        break;
      case 'push-pull':
        filtered = { ...message, members: message.members.filter(keepState) };
        break;
      case 'nack':
        filtered = message;
        break;
    }
    // An ack is let through from a peer we have not verified yet: it answers a ping this node
    // sent, often a relayed one (ping-req) to a member whose certificate has not reached us.
    // Its claims were checked one by one above; on its own it only completes that probe.
    if (!this.admitted.has(from) && filtered.type !== 'ack') {
      refusals.push(`dropped a ${message.type} from ${from}: it has shown no valid admission certificate`);
      return { message: undefined, refusals };
    }
    return { message: filtered, refusals };
  }

  private keep(meta: NodeMeta, refusals: string[]): boolean {
    const refusal = this.check(meta);
    if (refusal !== undefined) refusals.push(refusal);
    return refusal === undefined;
  }
}
