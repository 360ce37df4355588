import { arch } from 'node:os';
import type { ClusterStore } from '../../cluster/cluster-store.js';
import type { NodeView } from '../../cluster/orchestrator-types.js';
import type { Member } from '../../membership/types.js';

/**
 * How long a dead node still counts as ready: a daemon restart (an upgrade, a crash and
 * its supervisor) takes a few seconds, and its containers keep running meanwhile, so its
 * tasks are not moved elsewhere unless it stays away longer than this.
 */
export const deadNodeGraceMs = 10_000;

/** Docker's names for Node's process architectures (`node.platform.arch == x86_64`). */
const dockerArch: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i386' };

/**
 * The nodes as the orchestrator sees them: each node registered in the cluster state, with
 * its role, capacity and own labels from membership, the operator's labels and availability
 * from the state, ready while membership holds it alive or suspect, or dead for less than
 * deadNodeGraceMs (`nowMs` on membership's monotonic clock). All nodes are taken to share
 * this node's architecture (membership does not carry it yet).
 */
export function schedulingNodes(store: ClusterStore, members: readonly Member[], nowMs: number): NodeView[] {
  const byId = new Map(members.map((member) => [member.meta.id, member]));
  return store.nodeList().map((record) => {
    const member = byId.get(record.id);
    const capacity = member?.meta.capacity ?? { cpuMillicores: 0, memoryBytes: 0 };
    return {
      info: {
        id: record.id,
        hostname: record.hostname,
        // The role the node runs (its certificate), not the one a promote or demote still moves it to.
        role: member?.meta.role ?? record.role,
        availability: record.availability,
        labels: { ...member?.meta.labels, ...record.labels },
        platform: { os: 'linux', arch: dockerArch[arch()] ?? arch() },
        resources: { nanoCpus: capacity.cpuMillicores * 1_000_000, memoryBytes: capacity.memoryBytes },
      },
      ready: member?.status === 'alive' || member?.status === 'suspect' || (member?.status === 'dead' && nowMs - member.statusChangedMs < deadNodeGraceMs),
    };
  });
}
