/** Managers take part in Raft and may schedule; workers only run tasks. */
export type NodeRole = 'manager' | 'worker';

/** `active` takes new tasks; `pause` keeps its tasks but takes no new ones; `drain` moves its tasks away. */
export type NodeAvailability = 'active' | 'pause' | 'drain';

/** What a node runs on, as placement constraints see it: `node.platform.os == linux`. */
export interface NodePlatform {
  /** Node's `process.platform` style name, e.g. linux. */
  os: string;
  /** `uname -m`, e.g. x86_64 or aarch64, as Docker reports it. */
  arch: string;
}

/** What the scheduler knows about a node: identity, role, operator labels and capacity. */
export interface NodeInfo {
  id: string;
  hostname: string;
  role: NodeRole;
  availability: NodeAvailability;
  labels: Record<string, string>;
  platform: NodePlatform;
  /** Total capacity of the node, before any reservation. */
  resources: { nanoCpus: number; memoryBytes: number };
}
