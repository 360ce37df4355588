/**
 * The protocol's scaling laws as pure functions, so they can be checked against
 * memberlist's numbers in a table (timing.test.ts).
 */

/**
 * The shortest a suspicion lasts: `suspicionMult * max(1, log10(max(1, N))) * probeIntervalMs`
 * (memberlist's suspicionTimeout). Grows with log N because an update needs about
 * log N gossip rounds to reach the suspect, who must hear it to refute.
 */
export function suspicionTimeoutMinMs(suspicionMult: number, memberCount: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, memberCount)));
  return Math.floor(suspicionMult * nodeScale * probeIntervalMs);
}

/**
 * How long a suspicion still has to run (Lifeguard, memberlist's remainingSuspicionTime):
 * the timeout starts at `maxMs` and falls toward `minMs` as `log(confirmations + 1) /
 * log(expected + 1)`, because each independent confirmation makes a false suspicion less
 * likely. `expected < 1` means no confirmations are awaited: the minimum applies at once.
 * The result is relative to now and may be negative when the deadline has passed.
 */
export function remainingSuspicionMs(
  confirmations: number,
  expected: number,
  elapsedMs: number,
  minMs: number,
  maxMs: number,
): number {
  if (expected < 1) return minMs - elapsedMs;
  const fraction = Math.log(confirmations + 1) / Math.log(expected + 1);
  const timeoutMs = Math.max(minMs, Math.floor(maxMs - fraction * (maxMs - minMs)));
  return timeoutMs - elapsedMs;
}

/**
 * How many confirmations a new suspicion waits for (memberlist): `suspicionMult - 2`,
 * or none when fewer than that many other members could confirm it.
 */
export function expectedConfirmations(suspicionMult: number, memberCount: number): number {
  const k = suspicionMult - 2;
  return memberCount - 2 < k ? 0 : Math.max(0, k);
}

/** How many times each update is piggybacked: `retransmitMult * ceil(log10(N + 1))` (memberlist). */
export function retransmitLimit(retransmitMult: number, memberCount: number): number {
  const nodeScale = Math.ceil(Math.log10(Math.max(0, memberCount) + 1));
  return retransmitMult * Math.max(1, nodeScale);
}

/** Up to this many members the push-pull interval is not stretched (memberlist's pushPullScaleThreshold). */
export const pushPullScaleThreshold = 32;

/**
 * The push-pull interval for a cluster of N (memberlist's pushPullScale): unchanged up to
 * 32 members, then multiplied by `ceil(log2(N) - log2(32)) + 1`, so full-state traffic,
 * which grows with N per exchange, does not grow with N^2 overall.
 */
export function pushPullIntervalScaledMs(intervalMs: number, memberCount: number): number {
  if (memberCount <= pushPullScaleThreshold) return intervalMs;
  const multiplier = Math.ceil(Math.log2(memberCount) - Math.log2(pushPullScaleThreshold)) + 1;
  return intervalMs * multiplier;
}
