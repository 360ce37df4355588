/**
 * How a follower's proposal reaches the leader. The follower tags the command (envelope.ts)
 * and forwards the tagged entry; the leader proposes it as it is and answers once it has
 * applied it. The follower then waits until it applies the same entry itself and resolves
 * with its own state machine's result.
 */

/** The leader's answer: where the forwarded entry was committed (and applied on the leader). */
export interface ForwardResult {
  index: number;
}

/**
 * Sends a tagged entry to the leader. Implementations: MemoryForwardHub (tests) and
 * RpcProposalForwarder (the daemon, over stream RPC).
 */
export interface ProposalForwarder {
  /**
   * Resolves once `leaderId` applied `entry`. Rejects with a SwarmError: NOT_LEADER when
   * the peer is not the leader (nothing was appended), UNAVAILABLE or TIMEOUT when the peer
   * cannot be reached or lost leadership meanwhile (the entry may or may not commit).
   */
  forward(leaderId: string, entry: Uint8Array): Promise<ForwardResult>;
}

/** The leader's side of forwarding, which RaftService implements. */
export interface ForwardedProposalSink {
  /** Proposes an entry forwarded by authenticated peer `from` and resolves once it is applied here. */
  acceptForwarded(from: string, entry: Uint8Array): Promise<ForwardResult>;
}
