import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClusterStore } from '../../cluster/cluster-store.js';
import type { Member, MemberStatus, NodeRole } from '../../membership/types.js';
import { certificatesDue } from './role-deliveries.js';

const member = (id: string, role: NodeRole, status: MemberStatus = 'alive'): Member => ({
  meta: { id, name: id, addresses: [], role, labels: {}, capacity: { cpuMillicores: 1000, memoryBytes: 1 }, versions: {}, admission: '' },
  status, incarnation: 1, statusChangedMs: 0,
});

/** A store where each node's wanted role is given. */
function storeWanting(roles: Record<string, NodeRole>): ClusterStore {
  const store = new ClusterStore();
  for (const [id, role] of Object.entries(roles)) store.apply({ type: 'update-node', node: id, hostname: id, role, atMs: 0 });
  return store;
}

const rows: Array<{ name: string; members: Member[]; wanted: Record<string, NodeRole>; inRaft?: string[]; want: string[] }> = [
  { name: 'roles as wanted: nothing due', members: [member('self', 'manager'), member('w', 'worker')], wanted: { self: 'manager', w: 'worker' }, want: [] },
  { name: 'a promoted worker gets a manager certificate', members: [member('self', 'manager'), member('w', 'worker')], wanted: { self: 'manager', w: 'manager' }, want: ['w manager'] },
  { name: 'a demoted manager still in raft waits', members: [member('self', 'manager'), member('m', 'manager')], wanted: { self: 'manager', m: 'worker' }, inRaft: ['self', 'm'], want: [] },
  { name: 'a demoted manager out of raft gets a worker certificate', members: [member('self', 'manager'), member('m', 'manager')], wanted: { self: 'manager', m: 'worker' }, inRaft: ['self'], want: ['m worker'] },
  { name: 'a node that is not alive waits', members: [member('self', 'manager'), member('s', 'worker', 'suspect'), member('d', 'worker', 'dead')], wanted: { self: 'manager', s: 'manager', d: 'manager' }, want: [] },
  { name: 'an unregistered node waits', members: [member('self', 'manager'), member('new', 'worker')], wanted: { self: 'manager' }, want: [] },
  { name: 'the leader never hands itself one', members: [member('self', 'manager')], wanted: { self: 'worker' }, want: [] },
];

for (const row of rows) {
  test(`certificates due: ${row.name}`, () => {
    const due = certificatesDue({ selfId: 'self', members: row.members, store: storeWanting(row.wanted), inRaft: new Set(row.inRaft ?? ['self']) });
    assert.equal(due.map((d) => `${d.node} ${d.role}`), row.want);
  });
}

test.run();
