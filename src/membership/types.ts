/**
 * The data membership gossips about: who a node is (NodeMeta), what the cluster believes
 * about its liveness (MemberStatus + incarnation), and the events the daemon and the
 * dashboard consume. Everything here is a plain, serialisable object.
 */

/** What a node may do in the cluster: managers can be raft voters, workers only run tasks. */
export type NodeRole = 'manager' | 'worker';

/** Resources a node offers to the scheduler. */
export interface NodeCapacity {
  /** CPU in thousandths of a core (a 4-core machine offers 4000). */
  cpuMillicores: number;
  /** Memory in bytes. */
  memoryBytes: number;
}

/**
 * Everything a node announces about itself. Only the node itself changes it (updateMeta),
 * and every change goes out with a higher incarnation, so the newest always wins.
 */
export interface NodeMeta {
  /** The libp2p peer id: the member's identity and the key of every table. */
  readonly id: string;
  /** The node's name (`--name`, the host name by default): what `node ls` shows as HOSTNAME. */
  readonly name: string;
  /** Multiaddrs the node listens on, for the shell to dial. */
  readonly addresses: readonly string[];
  readonly role: NodeRole;
  /** Free-form labels for placement constraints (`node.labels.zone == a`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly capacity: Readonly<NodeCapacity>;
  /** Software versions, e.g. `{ swarmts: '0.1.0', runtime: '1.2' }`, for rolling upgrades. */
  readonly versions: Readonly<Record<string, string>>;
  /**
   * Proof that the cluster admitted this node (a certificate the shell issues and checks;
   * src/admission). Opaque here: membership only carries it. Empty in simulations.
   */
  readonly admission: string;
}

/**
 * Liveness as this node believes it. `left` is a graceful exit, never a failure; `dead`
 * is a failure confirmed by a suspicion timeout.
 */
export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';

/** One row of the member table, as `members()` returns it. */
export interface Member {
  readonly meta: NodeMeta;
  readonly status: MemberStatus;
  /** Bumped only by the member itself, to refute suspicion or announce new metadata. */
  readonly incarnation: number;
  /** When the status last changed, on the caller's clock. */
  readonly statusChangedMs: number;
}

/** The kinds of change the daemon and the dashboard are told about. */
export type MembershipEventType = 'joined' | 'updated' | 'suspect' | 'dead' | 'left' | 'alive-again';

/** A change in this node's view of another member. Events about the node itself are not emitted. */
export interface MembershipEvent {
  readonly type: MembershipEventType;
  readonly member: Member;
  /** When this node learned of the change, on the caller's clock. */
  readonly atMs: number;
}
