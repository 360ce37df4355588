/** The role both balancing modes play for `LoadBalancer`: nftables rules and the userland proxy. */
import type { LbView } from './lb-view.js';

/** Makes this node balance what a view says. Calls are serialized by the caller. */
export interface Balancer {
  /** Moves from the last applied view to `view`, touching only what changed. Idempotent. */
  update(view: LbView): Promise<void>;
  /** Removes everything this balancer made. */
  close(): Promise<void>;
}
