import type { ClusterStore } from '../../cluster/cluster-store.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Member } from '../../membership/types.js';
import type { NodeRole } from '../../spec/node-info.js';

/** After a node took its certificate, membership needs a moment to show its new role everywhere: no second one before this. */
const afterDeliveryMs = 5000;
/** A node that did not take its certificate is tried again after this. */
const afterFailureMs = 2000;

/** What LeaderDuties looks at to hand out certificates. */
export interface CertificatesDueInput {
  selfId: string;
  members: readonly Member[];
  store: ClusterStore;
  /** Raft's voters and learners: a demoted manager gets its worker certificate only once it left raft. */
  inRaft: ReadonlySet<string>;
}

/**
 * The alive nodes whose certificate's role (what membership shows) is not the role the
 * cluster state wants, and that may be handed one now. Pure.
 */
export function certificatesDue({ selfId, members, store, inRaft }: CertificatesDueInput): Array<{ node: string; role: NodeRole }> {
  const due: Array<{ node: string; role: NodeRole }> = [];
  for (const member of members) {
    const { id, role } = member.meta;
    const wanted = store.node(id)?.role;
    if (id === selfId || member.status !== 'alive' || wanted === undefined || wanted === role) continue;
    if (wanted === 'worker' && inRaft.has(id)) continue;
    due.push({ node: id, role: wanted });
  }
  return due;
}

export interface RoleDeliveriesComponents {
  /** Issues the certificate and hands it to the node (ClusterNode.deliverRole). */
  deliver: (node: string, role: NodeRole) => Promise<void>;
  /** Called when a delivery ended, so the leader looks again. */
  ended: () => void;
  logger: Logger;
}

/**
 * Hands out due certificates in the background, one at a time per node, without holding up
 * the leader's pass (a node takes a second or two to switch its role).
 */
export class RoleDeliveries {
  /** Per node, until when it is not handed another certificate (ms, Date.now()). */
  private readonly quietUntilMs = new Map<string, number>();
  private stopped = false;

  constructor(private readonly c: RoleDeliveriesComponents) {}

  send(due: ReadonlyArray<{ node: string; role: NodeRole }>): void {
    const now = Date.now();
    for (const { node, role } of due) {
      if (this.stopped || (this.quietUntilMs.get(node) ?? 0) > now) continue;
      this.quietUntilMs.set(node, Number.POSITIVE_INFINITY);
      this.c.logger.info(`handing ${node} a ${role} certificate`);
      this.c.deliver(node, role)
        .then(() => this.quietUntilMs.set(node, Date.now() + afterDeliveryMs))
        .catch((err: unknown) => {
          this.quietUntilMs.set(node, Date.now() + afterFailureMs);
          this.c.logger.warn(`${node} did not take its ${role} certificate; trying again`, { error: errorMessage(err) });
        })
        .finally(() => {
          if (!this.stopped) this.c.ended();
        });
    }
    for (const [node, untilMs] of this.quietUntilMs) if (untilMs < now && !due.some((d) => d.node === node)) this.quietUntilMs.delete(node);
  }

  stop(): void {
    this.stopped = true;
  }
}
