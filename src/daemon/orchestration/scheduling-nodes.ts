import { arch } from 'node:os';
import type { ClusterStore } from '../../cluster/cluster-store.js';
import type { NodeView } from '../../cluster/orchestrator-types.js';
import type { Member } from '../../membership/types.js';

/** Docker's names for Node's process architectures (`node.platform.arch == x86_64`). */
const dockerArch: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i386' };

/**
 * The nodes as the orchestrator sees them: each node registered in the cluster state, with
 * its capacity and own labels from membership, the operator's labels and availability
 * from the state, ready while membership holds it alive or merely suspect. All nodes are
 * taken to share this node's architecture (membership does not carry it yet).
 */
export function schedulingNodes(store: ClusterStore, members: readonly Member[]): NodeView[] {
  const byId = new Map(members.map((member) => [member.meta.id, member]));
  return store.nodeList().map((record) => {
    const member = byId.get(record.id);
    const capacity = member?.meta.capacity ?? { cpuMillicores: 0, memoryBytes: 0 };
    return {
      info: {
        id: record.id,
        hostname: record.hostname,
        role: record.role,
        availability: record.availability,
        labels: { ...member?.meta.labels, ...record.labels },
        platform: { os: 'linux', arch: dockerArch[arch()] ?? arch() },
        resources: { nanoCpus: capacity.cpuMillicores * 1_000_000, memoryBytes: capacity.memoryBytes },
      },
      ready: member?.status === 'alive' || member?.status === 'suspect',
    };
  });
}
