import { SeededRandom } from '../core/random.js';
import { defaultRaftConfig, type RaftConfig } from './config.js';
import { MemoryStorage } from './log-storage.js';
import { RaftNode } from './raft-node.js';
import type { Entry, Message, NodeId, ReadState } from './types.js';

/** Test helpers: a node over MemoryStorage bootstrapped with `voters`, and a Ready drain. */

export interface TestNode {
  raft: RaftNode;
  storage: MemoryStorage;
}

export function bootstrapStorage(voters: NodeId[], learners: NodeId[] = []): MemoryStorage {
  const storage = new MemoryStorage();
  storage.applySnapshot({ meta: { index: 0, term: 0, confState: { voters, learners } }, data: new Uint8Array() });
  return storage;
}

export function testNode(id: NodeId, voters: NodeId[], overrides: Partial<RaftConfig> = {}, seed = 1, storage = bootstrapStorage(voters)): TestNode {
  const config = { ...defaultRaftConfig(id), preVote: false, checkQuorum: false, ...overrides };
  return { raft: new RaftNode(config, storage, new SeededRandom(seed)), storage };
}

/** What draining readies produced. */
export interface Drained {
  messages: Message[];
  committed: Entry[];
  readStates: ReadState[];
}

/** Handles every Ready as a shell would (persist, collect messages, apply), then advances. */
export function drain(node: TestNode): Drained {
  const out: Drained = { messages: [], committed: [], readStates: [] };
  while (node.raft.hasReady()) {
    const rd = node.raft.ready();
    if (rd.snapshot) node.storage.applySnapshot(rd.snapshot);
    node.storage.append(rd.entries);
    if (rd.hardState) node.storage.setHardState(rd.hardState);
    out.messages.push(...rd.messages);
    out.committed.push(...rd.committedEntries);
    out.readStates.push(...rd.readStates);
    node.raft.advance();
  }
  return out;
}

/** Makes `node` leader of `voters` by stepping granted votes into it. */
export function electLeader(node: TestNode, voters: NodeId[]): Drained {
  node.raft.campaign();
  const term = node.raft.status().term;
  for (const v of voters) {
    if (v !== node.raft.id) node.raft.step({ type: 'voteResponse', from: v, to: node.raft.id, term, reject: false });
  }
  return drain(node);
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
