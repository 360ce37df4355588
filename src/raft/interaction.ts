import { AssertionError } from '../core/assert.js';
import { errorMessage } from '../core/errors.js';
import { SeededRandom } from '../core/random.js';
import { decodeConfChange } from './conf-change.js';
import { defaultRaftConfig, type RaftConfig } from './config.js';
import { listOption, parseCommand, parseScript, renderScript, type Command } from './datadriven.js';
import { formatConfState, formatEntries, formatMessage, formatReady } from './interaction-format.js';
import { MemoryStorage } from './log-storage.js';
import { RaftNode } from './raft-node.js';
import type { ConfChange, Message, NodeId } from './types.js';

/**
 * The interpreter behind the interaction scripts in testdata/: a cluster of RaftNodes
 * over MemoryStorage, a network of per-node inboxes the script delivers explicitly, and
 * a state machine per node that is the list of applied payloads. Every command returns
 * its output as text, compared against (or rewritten into) the script.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface ScriptNode {
  raft: RaftNode;
  storage: MemoryStorage;
  /** The state machine: applied payloads in order, with the index each came from. */
  applied: { index: number; data: string }[];
}

/** Runs a whole script; returns the outputs, one per case. */
export function runInteractionScript(text: string): { outputs: string[]; rewritten: string; mismatches: string[] } {
  const cases = parseScript(text);
  const env = new InteractionEnv();
  const outputs = cases.map((c) => env.run(c.command));
  const mismatches = cases.flatMap((c, i) => (c.expected === outputs[i] ? [] : [`line ${c.line}: ${c.command}\n--- expected\n${c.expected}\n--- actual\n${outputs[i]}`]));
  return { outputs, rewritten: renderScript(cases, outputs), mismatches };
}

export class InteractionEnv {
  private readonly nodes = new Map<NodeId, ScriptNode>();
  private readonly inboxes = new Map<NodeId, Message[]>();
  /** Node -> its partition group; nodes in different groups cannot talk. Empty: healed. */
  private groups = new Map<NodeId, number>();
  private readonly configs = new Map<NodeId, RaftConfig>();
  private restarts = 0;

  /**
   * Runs one command line. Refusals become the output, so scripts can show them; a broken
   * invariant is a bug and is thrown, never recorded as expected output.
   */
  run(line: string): string {
    const cmd = parseCommand(line);
    try {
      const out = this.dispatch(cmd);
      return out.length === 0 ? 'ok' : out.join('\n');
    } catch (err) {
      if (err instanceof AssertionError) throw err;
      return `error: ${errorMessage(err)}`;
    }
  }

  private dispatch(cmd: Command): string[] {
    const ids = cmd.args;
    switch (cmd.name) {
      case 'add-nodes':
        return this.addNodes(cmd);
      case 'campaign':
        this.node(ids[0]).raft.campaign();
        return [];
      case 'tick':
        return this.tick(ids.slice(1), Number(ids[0]));
      case 'tick-election':
        return this.tick(ids, 2 * this.config(ids[0]).electionTicks);
      case 'tick-heartbeat':
        return this.tick(ids, this.config(ids[0]).heartbeatTicks);
      case 'propose':
        this.node(ids[0]).raft.propose(encoder.encode(ids[1] ?? ''));
        return [];
      case 'propose-conf-change':
        this.node(ids[0]).raft.proposeConfChange(parseConfChange(ids[1], ids[2]));
        return [];
      case 'transfer-leadership':
        this.node(cmd.options.get('from')).raft.transferLeadership(required(cmd.options.get('to'), 'to='));
        return [];
      case 'read-index':
        this.node(ids[0]).raft.readIndex(encoder.encode(ids[1] ?? ''));
        return [];
      case 'stabilize':
        return this.stabilize(ids.length > 0 ? ids : [...this.nodes.keys()]);
      case 'process-ready':
        return ids.flatMap((id) => this.processReady(id));
      case 'deliver-msgs':
        return ids.flatMap((id) => this.deliver(id));
      case 'drop-msgs':
        return this.dropMsgs(cmd);
      case 'partition':
        return this.partition(cmd.args);
      case 'heal':
        this.groups = new Map();
        return [];
      case 'restart':
        return this.restart(ids[0]);
      case 'compact':
        return this.compact(ids[0], Number(ids[1]));
      case 'status':
        return ids.flatMap((id) => this.status(id));
      case 'raft-log':
        return this.raftLog(ids[0]);
      case 'raft-state':
        return [...this.nodes.keys()].map((id) => this.stateLine(id));
      case 'applied':
        return ids.map((id) => `${id}: [${this.node(id).applied.map((a) => a.data).join(', ')}]`);
      default:
        throw new Error(`unknown command "${cmd.name}"`);
    }
  }

  /** `add-nodes N voters=(1,2,3) learners=() index=0 pre-vote=true check-quorum=true max-size-per-msg=1 max-inflight=2` */
  private addNodes(cmd: Command): string[] {
    const count = Number(cmd.args[0]);
    const voters = listOption(cmd.options.get('voters'));
    const learners = listOption(cmd.options.get('learners'));
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = String(this.nodes.size + 1);
      const config: RaftConfig = {
        ...defaultRaftConfig(id),
        preVote: cmd.options.get('pre-vote') === 'true',
        checkQuorum: cmd.options.get('check-quorum') === 'true',
      };
      const maxSize = cmd.options.get('max-size-per-msg');
      if (maxSize !== undefined) config.maxSizePerMsgBytes = Number(maxSize);
      const maxInflight = cmd.options.get('max-inflight');
      if (maxInflight !== undefined) config.maxInflightMsgs = Number(maxInflight);
      const storage = new MemoryStorage();
      // index=N bootstraps at a snapshot at N (term 1), as etcd's scripts do: a node added
      // later then needs entries the log does not hold and gets the snapshot, membership included.
      const index = Number(cmd.options.get('index') ?? '0');
      storage.applySnapshot({ meta: { index, term: index > 0 ? 1 : 0, confState: { voters, learners } }, data: encoder.encode(index > 0 ? '[]' : '') });
      this.nodes.set(id, { raft: new RaftNode(config, storage, new SeededRandom(Number(id))), storage, applied: [] });
      this.configs.set(id, config);
      this.inboxes.set(id, []);
      out.push(`${id}: ${formatConfState({ voters, learners })}`);
    }
    return out;
  }

  /** A crash and restart: volatile state and the messages addressed to it are lost, storage is kept. */
  private restart(id: NodeId | undefined): string[] {
    const node = this.node(id);
    const config = this.configs.get(id!)!;
    node.raft = new RaftNode(config, node.storage, new SeededRandom(Number(id) + 1000 * ++this.restarts));
    this.inboxes.set(id!, []);
    const snap = node.storage.snapshot();
    const text = decoder.decode(snap.data);
    node.applied = text === '' ? [] : (JSON.parse(text) as string[]).map((data) => ({ index: snap.meta.index, data }));
    return [this.stateLine(id!)];
  }

  private tick(ids: string[], times: number): string[] {
    for (const id of ids) for (let i = 0; i < times; i++) this.node(id).raft.tick();
    return [];
  }

  /** Processes readies and delivers messages until nothing moves. */
  private stabilize(ids: string[]): string[] {
    const out: string[] = [];
    for (let round = 0; round < 1000; round++) {
      let moved = false;
      for (const id of ids) {
        if (!this.node(id).raft.hasReady()) continue;
        out.push(...this.processReady(id));
        moved = true;
      }
      for (const id of ids) {
        if (this.inboxes.get(id)!.length === 0) continue;
        out.push(...this.deliver(id));
        moved = true;
      }
      if (!moved) return out;
    }
    throw new Error('stabilize: still busy after 1000 rounds');
  }

  /** Handles one Ready as a shell would: persist, send, apply, advance. */
  private processReady(id: NodeId): string[] {
    const node = this.node(id);
    if (!node.raft.hasReady()) return [];
    const rd = node.raft.ready();
    const out = [`> ${id} handling Ready`, ...formatReady(rd)];
    if (rd.snapshot) {
      node.storage.applySnapshot(rd.snapshot);
      const at = rd.snapshot.meta.index;
      const text = decoder.decode(rd.snapshot.data);
      node.applied = text === '' ? [] : (JSON.parse(text) as string[]).map((data) => ({ index: at, data }));
    }
    node.storage.append(rd.entries);
    if (rd.hardState) node.storage.setHardState(rd.hardState);
    for (const m of rd.messages) {
      const cut = this.groups.size > 0 && this.groups.get(m.from) !== this.groups.get(m.to);
      out.push(`  send: ${formatMessage(m)}${cut ? ' (dropped: partitioned)' : ''}`);
      if (!cut) this.inboxes.get(m.to)?.push(m);
    }
    for (const entry of rd.committedEntries) {
      if (entry.type === 'confChange') {
        const cs = node.raft.applyConfChange(decodeConfChange(entry.data));
        out.push(`  applied conf change ${entry.index}: ${formatConfState(cs)}`);
      } else if (entry.data.length > 0) {
        node.applied.push({ index: entry.index, data: decoder.decode(entry.data) });
      }
    }
    node.raft.advance();
    return out;
  }

  private deliver(id: NodeId): string[] {
    const inbox = this.inboxes.get(id) ?? [];
    if (inbox.length === 0) return [];
    this.inboxes.set(id, []);
    const out = [`> ${id} receiving messages`];
    for (const m of inbox) {
      out.push(`  ${formatMessage(m)}`);
      this.node(id).raft.step(m);
    }
    return out;
  }

  /** `drop-msgs from=1` or `drop-msgs to=2`: loses messages in flight, as a crash would. */
  private dropMsgs(cmd: Command): string[] {
    const from = cmd.options.get('from');
    const to = cmd.options.get('to');
    const out: string[] = [];
    for (const [id, inbox] of this.inboxes) {
      const keep: Message[] = [];
      for (const m of inbox) {
        if ((from === undefined || m.from === from) && (to === undefined || m.to === to)) out.push(`dropped: ${formatMessage(m)}`);
        else keep.push(m);
      }
      this.inboxes.set(id, keep);
    }
    return out;
  }

  /** `partition 1 / 2 3`: groups separated by slashes; unlisted nodes form one more group. */
  private partition(args: string[]): string[] {
    this.groups = new Map();
    let group = 0;
    for (const arg of args) {
      if (arg === '/') group++;
      else this.groups.set(arg, group);
    }
    for (const id of this.nodes.keys()) if (!this.groups.has(id)) this.groups.set(id, group + 1);
    return [];
  }

  /** Snapshots node `id`'s applied state at `index` and compacts its log up to there. */
  private compact(id: NodeId | undefined, index: number): string[] {
    const node = this.node(id);
    const status = node.raft.status();
    if (index > status.applied) throw new Error(`compact ${index}: node ${id} has applied only up to ${status.applied}`);
    const data = encoder.encode(JSON.stringify(node.applied.filter((a) => a.index <= index).map((a) => a.data)));
    node.storage.createSnapshot(index, status.confState, data);
    node.storage.compact(index);
    return [`${id}: snapshot at ${index}, first index now ${node.storage.firstIndex()}`];
  }

  private status(id: NodeId): string[] {
    const node = this.node(id);
    const out = [this.stateLine(id)];
    for (const [peer, pr] of node.raft.progress()) {
      out.push(`  ${peer}: ${pr.state} match=${pr.match} next=${pr.next}${pr.inflight > 0 ? ` inflight=${pr.inflight}` : ''}${pr.learner ? ' learner' : ''}`);
    }
    return out;
  }

  private stateLine(id: NodeId): string {
    const s = this.node(id).raft.status();
    return `${id}: ${s.role} term=${s.term} leader=${s.leader ?? '-'} commit=${s.commit} applied=${s.applied} last=${s.lastIndex} ${formatConfState(s.confState)}`;
  }

  private raftLog(id: NodeId | undefined): string[] {
    const { storage } = this.node(id);
    const first = storage.firstIndex();
    const entries = storage.entries(first, storage.lastIndex() + 1);
    return [`${id}: first=${first} entries=${formatEntries(entries)}`];
  }

  private node(id: NodeId | undefined): ScriptNode {
    const node = id === undefined ? undefined : this.nodes.get(id);
    if (node === undefined) throw new Error(`no node "${id}"`);
    return node;
  }

  private config(id: NodeId | undefined): RaftConfig {
    this.node(id);
    return this.configs.get(id!)!;
  }
}

function parseConfChange(kind: string | undefined, node: string | undefined): ConfChange {
  const types: Record<string, ConfChange['type']> = {
    'add-voter': 'addVoter', 'remove-node': 'removeNode', 'add-learner': 'addLearner', 'promote-learner': 'promoteLearner',
  };
  const type = kind === undefined ? undefined : types[kind];
  if (type === undefined) throw new Error(`conf change: expected add-voter|remove-node|add-learner|promote-learner, got "${kind}"`);
  return { type, node: required(node, 'node id') };
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`missing ${what}`);
  return value;
}
