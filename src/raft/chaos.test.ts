import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { SeededRandom, type Random } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { decodeConfChange } from './conf-change.js';
import { defaultRaftConfig } from './config.js';
import { MemoryStorage } from './log-storage.js';
import { RaftNode } from './raft-node.js';
import type { ConfChange, Message, NodeId } from './types.js';

/**
 * Randomized protocol test at the raft level: five nodes (three bootstrapped voters, two
 * that join later), messages reordered, dropped and duplicated, partitions, restarts,
 * proposals, reads, leader transfers, membership changes and compactions, all chosen by
 * one seed. Safety is checked after every Ready: one leader per term, every node applies
 * the same entry at each index, a read is released at an index covering everything
 * committed when it was asked, and no ack or vote leaves before what it vouches for is
 * in storage. At the end the network heals and a leader must emerge and catch all
 * voters up. The cluster simulation in src/sim covers the WAL and clients; this one covers
 * membership changes and joins, which that one does not make.
 */

const ids = ['1', '2', '3', '4', '5'];
const decoder = new TextDecoder();

interface ChaosNode {
  raft: RaftNode | undefined;
  storage: MemoryStorage;
  /** Applied payloads by index: the state machine. */
  applied: string[];
  appliedIndex: number;
}

class Chaos {
  readonly nodes = new Map<NodeId, ChaosNode>();
  private inFlight: Message[] = [];
  private cut = new Set<NodeId>();
  private readonly leaders = new Map<number, NodeId>();
  private readonly appliedAt = new Map<number, string>();
  private proposals = 0;
  private reads = 0;
  private readonly readFloors = new Map<string, number>();
  /** What happened, so the test can require that the run exercised something. */
  readonly stats = { applied: 0, confChanges: 0, snapshots: 0, terms: 0, reads: 0 };

  constructor(private readonly random: Random, readonly seed: number) {
    for (const id of ids) {
      const storage = new MemoryStorage();
      const voters = id <= '3' ? ['1', '2', '3'] : [];
      storage.applySnapshot({ meta: { index: 0, term: 0, confState: { voters, learners: [] } }, data: new TextEncoder().encode('[]') });
      this.nodes.set(id, { raft: undefined, storage, applied: [], appliedIndex: 0 });
      this.start(id);
    }
  }

  private start(id: NodeId): void {
    const node = this.nodes.get(id)!;
    const config = { ...defaultRaftConfig(id), preVote: true, checkQuorum: true, maxInflightMsgs: 4, maxSizePerMsgBytes: 64 };
    node.raft = new RaftNode(config, node.storage, this.random.fork());
    const snap = node.storage.snapshot();
    node.applied = JSON.parse(decoder.decode(snap.data)) as string[];
    node.appliedIndex = snap.meta.index;
  }

  step(faults: boolean): void {
    const r = this.random.float();
    const id = this.random.pick(ids);
    const node = this.nodes.get(id)!;
    const raft = node.raft!;
    if (r < 0.35) raft.tick();
    else if (r < 0.75) this.deliverOne();
    else if (r < 0.82) this.propose();
    else if (r < 0.84) this.read(raft);
    else if (r < 0.85) this.leader()?.transferLeadership(this.random.pick(ids));
    else if (r < 0.88) this.changeMembership();
    else if (r < 0.9 && node.appliedIndex > node.storage.firstIndex()) this.compact(id);
    else if (faults && r < 0.92) this.restart(id);
    else if (faults && r < 0.95) this.cut = new Set(this.random.shuffle(ids).slice(0, this.random.int(3)));
    else if (r < 0.97) this.cut = new Set();
    for (const n of ids) this.processReady(n, faults);
  }

  private deliverOne(): void {
    if (this.inFlight.length === 0) return;
    const at = this.random.int(this.inFlight.length);
    const m = this.inFlight[at]!;
    if (!this.random.chance(0.2)) this.inFlight.splice(at, 1);
    this.nodes.get(m.to)?.raft?.step(m);
  }

  private leader(): RaftNode | undefined {
    return [...this.nodes.values()].map((n) => n.raft!).find((r) => r.status().role === 'leader');
  }

  private propose(): void {
    try {
      this.leader()?.propose(new TextEncoder().encode(`p${++this.proposals}`));
    } catch (err) {
      if (!isSwarmError(err, 'NOT_LEADER')) throw err;
    }
  }

  /**
   * A linearizable read: the index it is released at must cover every entry committed
   * anywhere when it was requested.
   */
  private read(raft: RaftNode): void {
    const context = `r${++this.reads}`;
    const floor = Math.max(...[...this.nodes.values()].map((n) => n.raft!.status().commit));
    try {
      raft.readIndex(new TextEncoder().encode(context));
      this.readFloors.set(context, floor);
    } catch (err) {
      if (!isSwarmError(err, 'NOT_LEADER')) throw err;
    }
  }

  private changeMembership(): void {
    const leader = this.leader();
    if (leader === undefined) return;
    const cs = leader.status().confState;
    const node = this.random.pick(ids);
    const options: ConfChange[] = [];
    if (cs.learners.includes(node)) options.push({ type: 'promoteLearner', node });
    if (!cs.voters.includes(node) && !cs.learners.includes(node)) options.push({ type: 'addLearner', node }, { type: 'addVoter', node });
    if ((cs.voters.includes(node) && cs.voters.length > 3) || cs.learners.includes(node)) options.push({ type: 'removeNode', node });
    if (options.length === 0) return;
    try {
      leader.proposeConfChange(this.random.pick(options));
    } catch (err) {
      if (!isSwarmError(err, 'CONFLICT') && !isSwarmError(err, 'NOT_LEADER')) throw err;
    }
  }

  private compact(id: NodeId): void {
    const node = this.nodes.get(id)!;
    const index = node.appliedIndex;
    if (index <= node.storage.snapshot().meta.index) return;
    const data = new TextEncoder().encode(JSON.stringify(node.applied.slice(0, index)));
    node.storage.createSnapshot(index, node.raft!.status().confState, data);
    node.storage.compact(index);
  }

  private restart(id: NodeId): void {
    this.inFlight = this.inFlight.filter((m) => m.to !== id);
    this.start(id);
  }

  private processReady(id: NodeId, faults: boolean): void {
    const node = this.nodes.get(id)!;
    const raft = node.raft!;
    while (raft.hasReady()) {
      const rd = raft.ready();
      if (rd.snapshot) {
        this.stats.snapshots++;
        node.storage.applySnapshot(rd.snapshot);
        node.applied = JSON.parse(decoder.decode(rd.snapshot.data)) as string[];
        node.appliedIndex = rd.snapshot.meta.index;
      }
      node.storage.append(rd.entries);
      if (rd.hardState) node.storage.setHardState(rd.hardState);
      for (const rs of rd.readStates) {
        const context = decoder.decode(rs.requestCtx);
        const floor = this.readFloors.get(context);
        assert.ok(floor !== undefined && rs.index >= floor, `seed ${this.seed}: read ${context} released at ${rs.index}, below the commit index ${floor} when it was asked`);
        this.stats.reads++;
      }
      const status = raft.status();
      if (status.role === 'leader') {
        const prior = this.leaders.get(status.term);
        assert.ok(prior === undefined || prior === id, `seed ${this.seed}: two leaders in term ${status.term}: ${prior} and ${id}`);
        if (prior === undefined) this.stats.terms++;
        this.leaders.set(status.term, id);
      }
      for (const m of rd.messages) {
        this.checkDurable(id, m);
        const lost = faults && (this.cut.has(m.from) !== this.cut.has(m.to) || this.random.chance(0.05));
        if (!lost) this.inFlight.push(m);
      }
      for (const e of rd.committedEntries) {
        if (e.index <= node.appliedIndex) continue;
        assert.is(e.index, node.appliedIndex + 1, `seed ${this.seed}: ${id} applies ${e.index} after ${node.appliedIndex}`);
        const key = `${e.term}/${e.type}/${decoder.decode(e.data)}`;
        const seen = this.appliedAt.get(e.index);
        assert.ok(seen === undefined || seen === key, `seed ${this.seed}: index ${e.index} applied as ${seen} and as ${key} (by ${id})`);
        this.appliedAt.set(e.index, key);
        if (e.type === 'confChange') {
          raft.applyConfChange(decodeConfChange(e.data));
          this.stats.confChanges++;
        }
        this.stats.applied++;
        node.applied.push(key);
        node.appliedIndex = e.index;
      }
      raft.advance();
    }
  }

  /** Persist-before-send: what a message vouches for is already in the sender's storage. */
  private checkDurable(id: NodeId, m: Message): void {
    const storage = this.nodes.get(id)!.storage;
    const { hardState } = storage.initialState();
    if (m.type === 'appendResponse' && !m.reject && m.index > 0) {
      assert.ok(storage.lastIndex() >= m.index, `seed ${this.seed}: ${id} acks ${m.index} holding only ${storage.lastIndex()}`);
    }
    if (m.type === 'voteResponse' && !m.reject) {
      // A later term persisted in the same Ready also forbids voting again in m.term.
      const durable = hardState.term > m.term || (hardState.term === m.term && hardState.vote === m.to);
      assert.ok(durable, `seed ${this.seed}: ${id} granted ${m.to} a vote in term ${m.term} but persisted term ${hardState.term} vote ${hardState.vote}`);
    }
  }

  /** Heals everything and runs until the current voters agree; returns the ticks it took. */
  settle(): number {
    this.cut = new Set();
    for (let round = 0; round < 3000; round++) {
      for (const id of ids) this.nodes.get(id)!.raft!.tick();
      for (const id of ids) this.processReady(id, false);
      while (this.inFlight.length > 0) {
        const batch = this.inFlight;
        this.inFlight = [];
        for (const m of batch) this.nodes.get(m.to)?.raft?.step(m);
        for (const id of ids) this.processReady(id, false);
      }
      const leader = this.leader();
      if (leader === undefined) continue;
      const { voters } = leader.status().confState;
      const target = leader.status().commit;
      if (voters.every((v) => this.nodes.get(v)!.appliedIndex === target)) return round;
    }
    const states = ids.map((id) => JSON.stringify(this.nodes.get(id)!.raft!.status()));
    throw new Error(`seed ${this.seed}: no convergence after healing:\n${states.join('\n')}`);
  }
}

test('random faults never break safety, and the healed cluster converges', () => {
  const seed = testSeed();
  const total = { applied: 0, confChanges: 0, snapshots: 0, terms: 0, reads: 0 };
  for (let run = 0; run < 60; run++) {
    const chaos = new Chaos(new SeededRandom(seed + run), seed + run);
    for (let i = 0; i < 3000; i++) chaos.step(true);
    chaos.settle();
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += chaos.stats[key];
  }
  if (process.env['SWARMTS_CHAOS_STATS'] === '1') console.log(total);
  for (const [key, value] of Object.entries(total)) assert.ok(value >= 20, `seed ${seed}: only ${value} ${key} in 60 runs`);
});

test.run();
