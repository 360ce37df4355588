import type { NodeMeta } from './types.js';

/** A plausible NodeMeta for tests: a worker with one address and no labels. */
export function testMeta(id: string, overrides: Partial<NodeMeta> = {}): NodeMeta {
  return {
    id,
    name: `host-${id}`,
    addresses: [`/ip4/10.0.0.1/tcp/4001/p2p/${id}`],
    role: 'worker',
    labels: {},
    capacity: { cpuMillicores: 2000, memoryBytes: 4 * 1024 ** 3 },
    versions: { swarmts: '0.1.0' },
    admission: '',
    ...overrides,
  };
}
