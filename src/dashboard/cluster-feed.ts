import { errorMessage } from '../core/errors.js';
import type { ClusterEvent, OrchestrationStatus, ServiceDetail, ServiceSummary, TaskSummary } from '../daemon/api-orchestration.js';
import type { NodeDetail, NodeSummary } from '../daemon/api-types.js';
import { emptySnapshot, withEvent, withUsage, type ClusterSnapshot } from './cluster-snapshot.js';
import type { Connection } from './dashboard-view-model.js';

/**
 * Keeps a ClusterSnapshot current from the daemon's event stream: on connect it fetches
 * everything; then each event marks what it touched, and after `debounceMs` of quiet only
 * those parts are fetched again. When the stream breaks it says so and reconnects with
 * doubling backoff. Node usage samples come on the same stream (`usage=true`) and go
 * straight into the nodes' figures, with no fetch; nothing is polled.
 */

/** What the feed needs of the local API; ApiClient is one. */
export interface FeedApi {
  call<T>(method: string, path: string): Promise<T>;
  stream<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): AsyncIterable<T>;
}

/** Time for the feed, injected so tests run it without waiting. */
export interface FeedClock {
  nowMs(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ClusterFeedConfig {
  /** Quiet time after an event before refetching, ms; 100 folds a deploy's burst of events into a few fetches. Default 100. */
  debounceMs: number;
  /** First reconnect delay after the daemon went away, ms; doubles per failure. Default 500. */
  reconnectMsMin: number;
  /** Longest reconnect delay, ms; 8000 notices a restarted daemon soon without hammering a gone one. Default 8000. */
  reconnectMsMax: number;
  /** How far back the first connect replays events, ms, so the feed is not empty. Default 10 minutes. */
  backfillMs: number;
}

export function defaultClusterFeedConfig(): ClusterFeedConfig {
  return { debounceMs: 100, reconnectMsMin: 500, reconnectMsMax: 8000, backfillMs: 10 * 60_000 };
}

/** What the dashboard reads from the feed. */
export interface FeedState {
  snapshot: ClusterSnapshot;
  connection: Connection;
}

/** The parts of the snapshot fetched separately. */
export type FeedPart = 'nodes' | 'orchestration' | 'services' | 'tasks';
const allParts: readonly FeedPart[] = ['nodes', 'orchestration', 'services', 'tasks'];

/** Which parts an event may have changed. */
export function partsTouchedBy(event: ClusterEvent): FeedPart[] {
  switch (event.type) {
    case 'node': return ['nodes', 'orchestration'];
    case 'leader': return ['orchestration'];
    case 'service': return ['services', 'tasks'];
    case 'update': return ['services'];
    case 'task': return ['services', 'tasks'];
    // A sample carries its figures itself (withUsage): nothing to fetch.
    case 'usage': return [];
  }
}

export class ClusterFeed {
  private state: FeedState = { snapshot: emptySnapshot(), connection: { state: 'connecting' } };
  private readonly listeners = new Set<() => void>();
  private readonly dirty = new Set<FeedPart>();
  /** Reservations by service id, valid while the service's updatedAt is unchanged. */
  private readonly reservationsSeen = new Map<string, { updatedAt: number; reservations: ServiceDetail['spec']['resources']['reservations'] }>();
  private lastEventMs: number | undefined;
  private failures = 0;
  private abort: AbortController | undefined;
  private flushTimer: unknown;
  private reconnectTimer: unknown;
  private fetching = false;
  private stopped = false;

  constructor(private readonly api: FeedApi, private readonly clock: FeedClock, private readonly config = defaultClusterFeedConfig()) {}

  current(): FeedState {
    return this.state;
  }

  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.clock.clearTimeout(this.flushTimer);
    this.clock.clearTimeout(this.reconnectTimer);
  }

  private connect(): void {
    if (this.stopped) return;
    const abort = new AbortController();
    this.abort = abort;
    const since = this.lastEventMs ?? this.clock.nowMs() - this.config.backfillMs;
    void this.follow(since, abort.signal).then(
      () => this.lost(abort, 'the daemon closed the event stream'),
      (err: unknown) => this.lost(abort, errorMessage(err)),
    );
    for (const part of allParts) this.dirty.add(part);
    void this.flush(abort);
  }

  private async follow(since: number, signal: AbortSignal): Promise<void> {
    for await (const event of this.api.stream<ClusterEvent>('GET', `/v1/events?since=${Math.max(0, Math.floor(since))}&usage=true`, undefined, signal)) {
      if (event.type === 'usage') {
        this.update({ snapshot: withUsage(this.state.snapshot, event) });
        continue;
      }
      this.lastEventMs = Math.max(this.lastEventMs ?? 0, event.time);
      this.update({ snapshot: withEvent(this.state.snapshot, event) });
      for (const part of partsTouchedBy(event)) this.dirty.add(part);
      this.clock.clearTimeout(this.flushTimer);
      const abort = this.abort!;
      this.flushTimer = this.clock.setTimeout(() => void this.flush(abort), this.config.debounceMs);
    }
  }

  /** Fetches the dirty parts; one fetch at a time, again if events marked more meanwhile. */
  private async flush(abort: AbortController): Promise<void> {
    if (this.fetching || abort.signal.aborted) return;
    this.fetching = true;
    try {
      while (this.dirty.size > 0 && !abort.signal.aborted) {
        const parts = [...this.dirty];
        this.dirty.clear();
        const fetched = await Promise.all(parts.map((part) => this.fetchPart(part)));
        if (abort.signal.aborted) return;
        this.update({ snapshot: Object.assign({ ...this.state.snapshot }, ...fetched), connection: { state: 'live' } });
        this.failures = 0;
      }
    } catch (err) {
      this.lost(abort, errorMessage(err));
    } finally {
      this.fetching = false;
    }
  }

  private async fetchPart(part: FeedPart): Promise<Partial<ClusterSnapshot>> {
    switch (part) {
      case 'nodes': {
        const nodes = await this.api.call<NodeSummary[]>('GET', '/v1/nodes');
        const capacity = { ...this.state.snapshot.capacity };
        const unknown = nodes.filter((n) => capacity[n.id] === undefined);
        for (const detail of await Promise.all(unknown.map((n) => this.api.call<NodeDetail>('GET', `/v1/nodes/${encodeURIComponent(n.id)}`)))) capacity[detail.id] = detail.capacity;
        return { nodes, capacity };
      }
      case 'orchestration': return { orchestration: await this.api.call<OrchestrationStatus>('GET', '/v1/orchestration') };
      case 'services': {
        const services = await this.api.call<ServiceSummary[]>('GET', '/v1/services');
        const stale = services.filter((s) => this.reservationsSeen.get(s.id)?.updatedAt !== s.updatedAt);
        const details = await Promise.all(stale.map((s) => this.api.call<ServiceDetail>('GET', `/v1/services/${encodeURIComponent(s.id)}`)));
        for (const d of details) this.reservationsSeen.set(d.id, { updatedAt: d.updatedAt, reservations: d.spec.resources.reservations });
        return { services, reservations: Object.fromEntries(services.map((s) => [s.id, this.reservationsSeen.get(s.id)?.reservations ?? {}])) };
      }
      case 'tasks': return { tasks: await this.api.call<TaskSummary[]>('GET', '/v1/tasks') };
    }
  }

  private lost(abort: AbortController, error: string): void {
    if (abort !== this.abort || abort.signal.aborted || this.stopped) return;
    abort.abort();
    const delayMs = Math.min(this.config.reconnectMsMax, this.config.reconnectMsMin * 2 ** this.failures);
    this.failures++;
    this.clock.clearTimeout(this.flushTimer);
    this.update({ connection: { state: 'lost', error, retryAtMs: this.clock.nowMs() + delayMs } });
    this.reconnectTimer = this.clock.setTimeout(() => this.connect(), delayMs);
  }

  private update(changes: Partial<FeedState>): void {
    this.state = { ...this.state, ...changes };
    for (const listener of this.listeners) listener();
  }
}
