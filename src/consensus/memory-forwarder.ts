import { SwarmError } from '../core/errors.js';
import type { ForwardedProposalSink, ForwardResult, ProposalForwarder } from './forwarder.js';

/**
 * Proposal forwarding in one process, for tests: the in-memory twin of
 * RpcProposalForwarder. Links can be cut like MemoryNetwork's; a call over a cut link, or
 * to a node not registered, fails with UNAVAILABLE as an unreachable peer would.
 */
export class MemoryForwardHub {
  private readonly sinks = new Map<string, ForwardedProposalSink>();
  private readonly cutLinks = new Set<string>();

  /** Makes `id` reachable (a restarted node registers its new service). */
  register(id: string, sink: ForwardedProposalSink): void {
    this.sinks.set(id, sink);
  }

  /** Makes `id` unreachable, as a stopped node. */
  unregister(id: string, sink?: ForwardedProposalSink): void {
    if (sink === undefined || this.sinks.get(id) === sink) this.sinks.delete(id);
  }

  /** Cuts (up = false) or restores the link between two nodes, both directions. */
  setLink(a: string, b: string, up: boolean): void {
    for (const key of [`${a}\n${b}`, `${b}\n${a}`]) {
      if (up) this.cutLinks.delete(key);
      else this.cutLinks.add(key);
    }
  }

  /** The forwarder node `from` uses. */
  forwarder(from: string): ProposalForwarder {
    return { forward: (leaderId, entry) => this.forward(from, leaderId, entry) };
  }

  private async forward(from: string, to: string, entry: Uint8Array): Promise<ForwardResult> {
    // A later macrotask, as over a network: never inside the caller's turn.
    await new Promise((resolve) => setImmediate(resolve));
    const sink = this.sinks.get(to);
    if (sink === undefined || this.cutLinks.has(`${from}\n${to}`)) {
      throw new SwarmError('UNAVAILABLE', `forwarding a proposal from ${from} to ${to}: ${to} is unreachable; retry`);
    }
    // The copy stands for the wire: the leader must not share the follower's buffer.
    const result = await sink.acceptForwarded(from, entry.slice());
    if (this.cutLinks.has(`${from}\n${to}`)) {
      throw new SwarmError('UNAVAILABLE', `forwarding a proposal from ${from} to ${to}: the link broke before the answer; the entry may still be applied`);
    }
    return { index: result.index };
  }
}
