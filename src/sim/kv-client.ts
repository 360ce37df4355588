import type { Random } from '../core/random.js';
import type { EventLoop, TimerId } from './event-loop.js';
import type { KvResult } from './kv-state-machine.js';
import type { KvInput, KvOutput, Operation } from './linearizability.js';

/**
 * A simulated client of the replicated KV store. It issues one operation at a time to the
 * node it believes leads, follows NOT_LEADER hints, retries on timeouts with the same
 * request id (so the store applies it at most once), and records what it saw, call and
 * return times included, for the linearizability check.
 */

/** A request from a client to a node. */
export interface ClientRequest {
  kind: 'request';
  clientId: string;
  requestId: number;
  input: KvInput;
}

/** A node's answer to a request. */
export type ClientReply =
  | { kind: 'reply'; requestId: number; result: KvResult }
  | { kind: 'notLeader'; requestId: number; leader: string | undefined };

/** How a client behaves. */
export interface KvClientConfig {
  /** Keys operations pick from; few keys means more contention and a sharper check. Default 3. */
  keys: string[];
  /** A request unanswered for this long is sent again, ms. Default 150: several election timeouts would be too slow to notice. */
  requestTimeoutMs: number;
  /** Attempts before the client gives up and records the outcome as unknown. Default 20. */
  attemptsMax: number;
  /** Pause between operations, ms, drawn uniformly from [0, thinkMsMax]. Default 30. */
  thinkMsMax: number;
  /** Pause before retrying after a NOT_LEADER answer, ms: lets an election finish. Default 10. */
  redirectDelayMs: number;
  /**
   * Chance that a get first goes to a random node rather than the believed leader: with
   * ReadIndex any node serves reads, and a lagging follower must still answer correctly. Default 0.3.
   */
  anyNodeGetChance: number;
}

/** The defaults documented on each field. */
export function defaultKvClientConfig(): KvClientConfig {
  return { keys: ['a', 'b', 'c'], requestTimeoutMs: 150, attemptsMax: 20, thinkMsMax: 30, redirectDelayMs: 10, anyNodeGetChance: 0.3 };
}

/** How a client reaches nodes: the cluster sends over its simulated network. */
export type SendToNode = (clientId: string, nodeId: string, request: ClientRequest) => void;

interface Pending {
  requestId: number;
  input: KvInput;
  callMs: number;
  attempts: number;
  timer: TimerId | undefined;
}

/** One client, driven by the cluster's EventLoop; it records into the shared history. */
export class KvClient {
  private nextRequestId = 1;
  private pending: Pending | undefined;
  private target: string;
  private stopped = false;
  private valueSeq = 0;
  /** The last value this client saw per key: what its cas operations expect, so some succeed. */
  private readonly lastSeen = new Map<string, string | undefined>();

  constructor(
    readonly id: string,
    private readonly nodes: readonly string[],
    private readonly config: KvClientConfig,
    private readonly loop: EventLoop,
    private readonly random: Random,
    private readonly send: SendToNode,
    private readonly history: Operation<KvInput, KvOutput>[],
  ) {
    this.target = random.pick(nodes);
  }

  /** Starts issuing operations after a think pause. */
  start(): void {
    this.loop.after(this.random.int(this.config.thinkMsMax + 1), () => this.issue());
  }

  /** Stops issuing new operations; one in flight still finishes (or times out). */
  stop(): void {
    this.stopped = true;
  }

  /** Whether an operation is in flight. */
  busy(): boolean {
    return this.pending !== undefined;
  }

  /** A node answered. Answers to anything but the operation in flight are stale duplicates. */
  receive(from: string, reply: ClientReply): void {
    const pending = this.pending;
    if (pending === undefined || reply.requestId !== pending.requestId) return;
    if (reply.kind === 'notLeader') {
      this.target = reply.leader !== undefined && reply.leader !== from ? reply.leader : this.otherNode(from);
      this.retryAfter(this.config.redirectDelayMs);
      return;
    }
    if (reply.result.kind === 'stale') return;
    this.finish(reply.result);
  }

  private issue(): void {
    if (this.stopped || this.pending !== undefined) return;
    const input = this.randomInput();
    this.pending = { requestId: this.nextRequestId++, input, callMs: this.loop.nowMs(), attempts: 0, timer: undefined };
    if (input.kind === 'get' && this.random.chance(this.config.anyNodeGetChance)) this.target = this.random.pick(this.nodes);
    this.attempt();
  }

  private attempt(): void {
    const pending = this.pending!;
    if (pending.attempts >= this.config.attemptsMax) {
      this.finish(undefined);
      return;
    }
    pending.attempts++;
    this.send(this.id, this.target, { kind: 'request', clientId: this.id, requestId: pending.requestId, input: pending.input });
    pending.timer = this.loop.after(this.config.requestTimeoutMs, () => {
      pending.timer = undefined;
      this.target = this.otherNode(this.target);
      this.attempt();
    });
  }

  private retryAfter(delayMs: number): void {
    const pending = this.pending!;
    if (pending.timer !== undefined) this.loop.cancel(pending.timer);
    pending.timer = this.loop.after(delayMs, () => {
      pending.timer = undefined;
      this.attempt();
    });
  }

  /** Records the operation (output undefined: outcome unknown) and schedules the next. */
  private finish(output: KvOutput | undefined): void {
    const pending = this.pending!;
    if (pending.timer !== undefined) this.loop.cancel(pending.timer);
    if (output?.kind === 'get') this.lastSeen.set(pending.input.key, output.value);
    if (output !== undefined && pending.input.kind !== 'get' && (output.kind === 'put' || (output.kind === 'cas' && output.swapped))) {
      this.lastSeen.set(pending.input.key, pending.input.value);
    }
    this.history.push({
      clientId: this.id,
      input: pending.input,
      output,
      callMs: pending.callMs,
      returnMs: output === undefined ? undefined : this.loop.nowMs(),
    });
    this.pending = undefined;
    if (!this.stopped) this.loop.after(this.random.int(this.config.thinkMsMax + 1), () => this.issue());
  }

  private otherNode(than: string): string {
    const others = this.nodes.filter((n) => n !== than);
    return others.length === 0 ? than : this.random.pick(others);
  }

  private randomInput(): KvInput {
    const key = this.random.pick(this.config.keys);
    const value = `${this.id}.${this.valueSeq++}`;
    const roll = this.random.int(10);
    if (roll < 4) return { kind: 'put', key, value };
    if (roll < 8) return { kind: 'get', key };
    return { kind: 'cas', key, expected: this.lastSeen.get(key), value };
  }
}
