import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WallClock } from '../../core/clock.js';
import { isSwarmError, type ErrorCode } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { waitFor } from '../../p2p/wait-for.js';
import { SimRuntime } from '../../runtime/sim-runtime.js';
import type { NodeRole } from '../../spec/node-info.js';
import { ClusterControl } from './cluster-control.js';

// `node promote` / `demote` on real daemons' cluster sides: real libp2p on loopback, real raft
// on disk, one state directory each; containers are the simulated runtime's (no task runs here).
const root = mkdtempSync(join(tmpdir(), 'swarmts-roles-'));
const basePort = 20_000 + Math.floor(Math.random() * 20_000);
const controls: ClusterControl[] = [];
const slowMs = 60_000;

function control(name: string): ClusterControl {
  const images = { has: async () => true, pull: async function* () {} };
  const made = new ClusterControl(join(root, name), name, silentLogger(), { runtime: new SimRuntime(new WallClock()), images, volumesDir: join(root, name, 'volumes'), network: undefined });
  controls.push(made);
  return made;
}

const address = (i: number) => `127.0.0.1:${basePort + i}`;
const addresses = (i: number) => ({ listenAddress: address(i), advertiseAddress: address(i) });

async function rejects(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  try {
    await promise;
    assert.unreachable('expected a failure');
  } catch (err) {
    assert.ok(isSwarmError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match((err as Error).message, message);
  }
}

const roleIn = (c: ClusterControl, hostname: string): NodeRole | undefined => c.nodes().find((n) => n.hostname === hostname)?.role;
const idOf = (c: ClusterControl) => c.status().nodeId!;
const ownRole = (c: ClusterControl) => { const status = c.status(); return status.member ? status.role : undefined; };
const raftOf = (c: ClusterControl) => c.orchestration().status();
const sorted = (ids: string[]) => [...ids].sort();

/** Every running node shows `hostname` as `role`, and the node itself runs that role and caught up with the state again. */
async function roleEverywhere(running: ClusterControl[], hostname: string, role: NodeRole, self: ClusterControl): Promise<void> {
  await waitFor(`${hostname} is a ${role} in every view`, () => ownRole(self) === role && raftOf(self).synced && running.every((c) => roleIn(c, hostname) === role), { timeoutMs: slowMs });
}

/** The leader's raft configuration, once the voter policy settled it as wanted. */
async function raftSettles(leaderOf: () => ClusterControl | undefined, voters: number, learners: number): Promise<{ voters: string[]; learners: string[] }> {
  let last = { voters: [] as string[], learners: [] as string[] };
  await waitFor(`raft settles at ${voters} voters and ${learners} learners`, () => {
    const leader = leaderOf();
    if (leader === undefined) return false;
    last = raftOf(leader);
    return last.voters.length === voters && last.learners.length === learners;
  }, { timeoutMs: slowMs });
  return { voters: sorted(last.voters), learners: sorted(last.learners) };
}

/** Whether `c`'s copy of the cluster state holds node `name` (the leader registers members). */
function registeredIn(c: ClusterControl, name: string): boolean {
  try {
    c.orchestration().tasks({ node: name });
    return true;
  } catch {
    return false;
  }
}

function leaderAmong(running: ClusterControl[]): ClusterControl | undefined {
  return running.find((c) => raftOf(c).isLeader);
}

/** A write through `via` (a node's availability) commits, and every other running node sees it. */
async function writeCommits(via: ClusterControl, running: ClusterControl[], node: string, availability: 'active' | 'pause'): Promise<void> {
  await via.orchestration().updateNode(node, { availability });
  await waitFor(`every node sees ${node} ${availability}`, () => running.every((c) => c.nodes().find((n) => n.hostname === node)?.availability === availability), { timeoutMs: slowMs });
}

test.after(async () => {
  await Promise.allSettled(controls.map((c) => c.close()));
  rmSync(root, { recursive: true, force: true });
});

test('promote two workers, lose the first manager, demote (the leader too); refusals say what to do', async () => {
  const a = control('a');
  const b = control('b');
  const c = control('c');
  const init = await a.init(addresses(0));
  await b.join({ ...addresses(1), token: init.workerToken, remoteAddress: address(0) });
  await c.join({ ...addresses(2), token: init.workerToken, remoteAddress: address(0) });
  await waitFor('every node knows every node registered', () => [a, b, c].every((x) => ['a', 'b', 'c'].every((name) => registeredIn(x, name))), { timeoutMs: slowMs });

  // Refusals and idempotence.
  await rejects(a.orchestration().setNodeRole('a', 'worker'), 'CONFLICT', /a is the cluster's last manager: promote another node first/);
  await rejects(b.orchestration().setNodeRole('nobody', 'manager'), 'NOT_FOUND', /no node "nobody" in this cluster: see `swarmts node ls`/);
  assert.equal((await a.orchestration().setNodeRole('a', 'manager')).unchanged, [idOf(a)]);
  assert.equal((await c.orchestration().setNodeRole('b', 'worker')).unchanged, [idOf(b)]);

  // b's `events` follower, started while b is a worker, keeps following after the switch.
  const following = new AbortController();
  const seenOnB: string[] = [];
  const follow = (async () => {
    for await (const event of b.orchestration().events(Date.now(), following.signal)) seenOnB.push(event.type);
  })().catch(() => undefined);

  // A worker asks (the request goes to the leader); b becomes a manager, a raft learner (2 managers: 1 voter).
  assert.equal((await c.orchestration().setNodeRole('b', 'manager')).updated, [idOf(b)]);
  await roleEverywhere([a, b, c], 'b', 'manager', b);
  await waitFor('b\'s events follower sees its raft find the leader', () => seenOnB.includes('leader'), { timeoutMs: slowMs });
  following.abort();
  await follow;
  assert.equal(await raftSettles(() => leaderAmong([a, b]), 1, 1), { voters: [idOf(a)], learners: [idOf(b)] });
  assert.ok(existsSync(join(root, 'b', 'cluster', 'manager-secrets.json')), 'a promoted node can admit nodes');

  // A manager that does not lead asks; three managers: three voters.
  assert.equal((await b.orchestration().setNodeRole('c', 'manager')).updated, [idOf(c)]);
  await roleEverywhere([a, b, c], 'c', 'manager', c);
  assert.equal(await raftSettles(() => leaderAmong([a, b, c]), 3, 0), { voters: sorted([idOf(a), idOf(b), idOf(c)]), learners: [] });
  assert.equal((await a.orchestration().setNodeRole('c', 'manager')).unchanged, [idOf(c)]);
  await writeCommits(c, [a, b, c], 'a', 'pause');

  // The first manager goes: the promoted ones hold the state and keep committing.
  await a.close();
  await waitFor('b and c mark a down', () => [b, c].every((x) => x.nodes().find((n) => n.hostname === 'a')?.status === 'down'), { timeoutMs: slowMs });
  await waitFor('b or c leads', () => leaderAmong([b, c]) !== undefined, { timeoutMs: slowMs });
  await writeCommits(b, [b, c], 'b', 'pause');

  // Demoting b now would leave c the only alive one of two voters.
  await rejects(c.orchestration().setNodeRole('b', 'worker'), 'CONFLICT', /cannot demote b: without it, 1 of the 2 raft voters left would be alive, below a quorum of 2 \(down: a\)\. Bring the down managers back first/);

  const aAgain = control('a');
  await aAgain.boot();
  await waitFor('a is back everywhere', () => [aAgain, b, c].every((x) => x.nodes().filter((n) => n.status === 'ready').length === 3), { timeoutMs: slowMs });
  await writeCommits(aAgain, [aAgain, b, c], 'c', 'pause');

  // Demote c: it leaves raft first, then runs as a worker; two managers settle at one voter and one learner.
  assert.equal((await aAgain.orchestration().setNodeRole('c', 'worker')).updated, [idOf(c)]);
  await roleEverywhere([aAgain, b, c], 'c', 'worker', c);
  const settled = await raftSettles(() => leaderAmong([aAgain, b]), 1, 1);
  assert.equal(sorted([...settled.voters, ...settled.learners]), sorted([idOf(aAgain), idOf(b)]));
  const raftDir = join(root, 'c', 'cluster', 'raft');
  assert.is(existsSync(raftDir) ? readdirSync(raftDir).length : 0, 0, 'a demoted node drops its raft log');
  assert.not.ok(existsSync(join(root, 'c', 'cluster', 'manager-secrets.json')), 'a demoted node holds no authority key');
  await writeCommits(c, [aAgain, b, c], 'a', 'active');

  // Demote the leader: it hands leadership over, leaves raft, and runs as a worker.
  const leader = leaderAmong([aAgain, b])!;
  const other = leader === b ? aAgain : b;
  const leaderName = leader === b ? 'b' : 'a';
  assert.equal((await c.orchestration().setNodeRole(leaderName, 'worker')).updated, [idOf(leader)]);
  await roleEverywhere([aAgain, b, c], leaderName, 'worker', leader);
  assert.equal(await raftSettles(() => leaderAmong([other]), 1, 0), { voters: [idOf(other)], learners: [] });
  await writeCommits(leader, [aAgain, b, c], 'c', 'active');
  await rejects(c.orchestration().setNodeRole(leader === b ? 'a' : 'b', 'worker'), 'CONFLICT', /last manager/);
});

test('a promoted node comes back as a manager after a daemon restart', async () => {
  const m = control('m');
  const w = control('w');
  const init = await m.init(addresses(10));
  await w.join({ ...addresses(11), token: init.workerToken, remoteAddress: address(10) });
  await waitFor('the leader registered w', () => registeredIn(m, 'w'), { timeoutMs: slowMs });
  await m.orchestration().setNodeRole('w', 'manager');
  await roleEverywhere([m, w], 'w', 'manager', w);
  await raftSettles(() => leaderAmong([m]), 1, 1);

  await w.close();
  const wAgain = control('w');
  await wAgain.boot();
  assert.is(ownRole(wAgain), 'manager');
  await waitFor('w is a ready manager again', () => [m, wAgain].every((x) => x.nodes().find((n) => n.hostname === 'w')?.status === 'ready' && roleIn(x, 'w') === 'manager'), { timeoutMs: slowMs });
  await waitFor('w holds the raft log again', () => raftOf(wAgain).synced && raftOf(wAgain).learners.includes(idOf(wAgain)), { timeoutMs: slowMs });
  await writeCommits(wAgain, [m, wAgain], 'm', 'pause');
});

test.run();
