import { SwarmError } from '../core/errors.js';

/**
 * Tuning of the membership protocol. The defaults follow memberlist's LAN profile
 * (DefaultLANConfig), a little faster where our links allow it: the cluster lives on one
 * LAN or a few, and a container moved a second sooner is worth a few more packets.
 */
export interface MembershipConfig {
  /**
   * Time between two probes of this node, in ms. Default 500 (memberlist LAN: 1 s): half,
   * because suspicions here also go out on gossipsub, so a suspect hears of one and refutes
   * in one hop rather than over rounds of gossip, and a failed node is found twice as fast.
   * Scaled up by the local health multiplier. Failure detection takes a few of these.
   */
  probeIntervalMs: number;
  /**
   * How long a direct ping waits for its ack before asking others to ping-req, in ms.
   * Default 250 (memberlist LAN: 500): well above a LAN round trip, and short enough to
   * leave room for the indirect probe inside one probe interval. Scaled by health.
   */
  probeTimeoutMs: number;
  /** How many random members relay a ping-req after a direct ping failed. Default 3 (memberlist). */
  indirectChecks: number;
  /**
   * Suspicion lasts at least `suspicionMult * log10(max(1, N)) * probeIntervalMs` (a floor
   * of one for N <= 10). Default 4 (memberlist LAN): time for the suspect to hear it
   * and refute. Also sets how many confirmations shrink the timeout: suspicionMult - 2.
   * 3 detects a quarter faster but let the 10%-loss simulation kill a live member (seed
   * 1738494023).
   */
  suspicionMult: number;
  /**
   * A fresh suspicion starts at this multiple of the minimum and shrinks toward the minimum
   * as independent members confirm it (Lifeguard). Default 6 (memberlist LAN).
   */
  suspicionMaxTimeoutMult: number;
  /**
   * Each update is piggybacked `retransmitMult * ceil(log10(N + 1))` times before it is
   * dropped from the queue. Default 4 (memberlist LAN): reaches everyone with high probability.
   */
  retransmitMult: number;
  /** Time between two rounds of gossip to random peers, in ms. Default 200 (memberlist LAN). */
  gossipIntervalMs: number;
  /** Peers each gossip round is sent to. Default 3 (memberlist LAN). */
  gossipNodes: number;
  /**
   * Dead members still receive gossip for this long, in ms, so one that was wrongly
   * declared dead hears it and refutes. Default 30000 (memberlist LAN).
   */
  gossipToTheDeadMs: number;
  /**
   * Time between two full-state exchanges with a random live member, in ms. Default
   * 20000 (memberlist LAN: 30 s): repairs anything gossip missed. Grows with log2 of the
   * cluster size beyond 32 members, as memberlist's pushPullScale does, to bound the load.
   */
  pushPullIntervalMs: number;
  /**
   * Time between two full-state exchanges with a random dead (not left) member, in ms.
   * Default 10000. This heals partitions: after one, each side believes the other dead
   * and would never talk to it again (Serf's reconnect loop does this job over memberlist).
   */
  reconnectIntervalMs: number;
  /**
   * Until a seed answers the join, and whenever this node knows no live peer, it retries
   * the join seeds this often, in ms. Default 2000: a lost join request or a seed that was
   * down at start costs seconds, not a push-pull interval; a node cut off from everyone
   * gets back by itself.
   */
  joinRetryIntervalMs: number;
  /**
   * A member learned of (or back from the dead) less than this long ago, in ms, is not
   * suspected by this node when a probe of it fails: it is probed again next round. Default
   * 5000. Our first contact with a member opens a connection (TCP, PSK, noise, yamux,
   * protocol negotiation: several round trips through both event loops) while the newcomer
   * opens one to everyone who probes it, with its code not yet optimised; on a loaded
   * 2-core host that took longer than a probe, and every newcomer was suspected and
   * sometimes declared dead before it could refute (with 3000, a 20th member still was,
   * 4 s after joining). Others' suspicions still apply, and a newcomer that dies is found
   * this much later.
   */
  newMemberGraceMs: number;
  /**
   * Most seeds a join (or a join retry) pushes this node's state to at once: the first seed,
   * then random others. Default 3: each seed that hears a joiner announces it on gossipsub,
   * so one is enough for the cluster to learn of it in one hop and three survive a dead seed;
   * pushing to every member the joiner was handed (a daemon joins with the full member
   * list) cost the joiner a connection handshake and a full-state exchange per member at
   * once, and the cluster one announcement per member, just when everyone starts probing it.
   */
  joinSeedsMax: number;
  /**
   * The local health multiplier's ceiling: probe interval and timeout grow up to this
   * multiple when this node misses acks and nacks (Lifeguard). Default 8 (memberlist).
   */
  awarenessMaxMultiplier: number;
  /**
   * Dead members are forgotten after this long, in ms. Default 86400000 (24 h, Serf's
   * reconnect_timeout): while remembered they are retried, so a long partition still heals.
   */
  deadReapAfterMs: number;
  /**
   * Members that left are forgotten after this long, in ms. Default 3600000 (1 h): the
   * tombstone keeps stale `alive` gossip from resurrecting them meanwhile.
   */
  leftReapAfterMs: number;
  /**
   * Most updates piggybacked on one ping, ack, ping-req or gossip message. Default 16:
   * with metadata, about what fits in one 1400-byte datagram-sized frame.
   */
  updatesPerMessageMax: number;
}

/** The default configuration; see each field for its value and why. */
export function defaultMembershipConfig(): MembershipConfig {
  return {
    probeIntervalMs: 500,
    probeTimeoutMs: 250,
    indirectChecks: 3,
    suspicionMult: 4,
    suspicionMaxTimeoutMult: 6,
    retransmitMult: 4,
    gossipIntervalMs: 200,
    gossipNodes: 3,
    gossipToTheDeadMs: 30_000,
    pushPullIntervalMs: 20_000,
    reconnectIntervalMs: 10_000,
    joinRetryIntervalMs: 2_000,
    joinSeedsMax: 3,
    newMemberGraceMs: 5_000,
    awarenessMaxMultiplier: 8,
    deadReapAfterMs: 24 * 60 * 60 * 1000,
    leftReapAfterMs: 60 * 60 * 1000,
    updatesPerMessageMax: 16,
  };
}

type Rule = { min: number; integer: boolean };

const rules: Record<keyof MembershipConfig, Rule> = {
  probeIntervalMs: { min: 1, integer: false },
  probeTimeoutMs: { min: 1, integer: false },
  indirectChecks: { min: 0, integer: true },
  suspicionMult: { min: 1, integer: true },
  suspicionMaxTimeoutMult: { min: 1, integer: false },
  retransmitMult: { min: 1, integer: true },
  gossipIntervalMs: { min: 1, integer: false },
  gossipNodes: { min: 0, integer: true },
  gossipToTheDeadMs: { min: 0, integer: false },
  pushPullIntervalMs: { min: 1, integer: false },
  reconnectIntervalMs: { min: 1, integer: false },
  joinRetryIntervalMs: { min: 1, integer: false },
  joinSeedsMax: { min: 1, integer: true },
  newMemberGraceMs: { min: 0, integer: false },
  awarenessMaxMultiplier: { min: 1, integer: true },
  deadReapAfterMs: { min: 0, integer: false },
  leftReapAfterMs: { min: 0, integer: false },
  updatesPerMessageMax: { min: 1, integer: true },
};

/**
 * Checks every field and returns the config unchanged, or throws INVALID_CONFIG naming
 * every bad field at once.
 */
export function validateMembershipConfig(config: MembershipConfig): MembershipConfig {
  const problems: string[] = [];
  for (const [key, rule] of Object.entries(rules) as [keyof MembershipConfig, Rule][]) {
    const value: unknown = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${key}: expected a finite number, got ${JSON.stringify(value) ?? String(value)}`);
    } else if (rule.integer && !Number.isInteger(value)) {
      problems.push(`${key}: expected an integer, got ${value}`);
    } else if (value < rule.min) {
      problems.push(`${key}: expected >= ${rule.min}, got ${value}`);
    }
  }
  if (problems.length === 0 && config.probeTimeoutMs >= config.probeIntervalMs) {
    problems.push(
      `probeTimeoutMs: expected less than probeIntervalMs (${config.probeIntervalMs}) to leave time for indirect probes, got ${config.probeTimeoutMs}`,
    );
  }
  if (problems.length > 0) {
    throw new SwarmError('INVALID_CONFIG', `invalid membership config: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return config;
}
