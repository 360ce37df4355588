import { SwarmError } from '../core/errors.js';

/** One waiting caller: its promise's settle functions, its deadline, and what the service tracks about it. */
interface Waiter<V, I> {
  info: I;
  resolve: (value: V) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Callers waiting for raft (proposals, reads), by key, each bounded by a deadline and the
 * table by `max`: nothing ever waits forever or without limit. Settling removes the entry
 * and its timer, so each caller is settled exactly once.
 */
export class PendingTable<V, I> {
  private readonly waiters = new Map<string, Waiter<V, I>>();

  constructor(
    /** What waits, for error messages: "proposals", "reads". */
    private readonly what: string,
    private readonly max: number,
  ) {}

  get size(): number {
    return this.waiters.size;
  }

  has(key: string): boolean {
    return this.waiters.has(key);
  }

  /** What is tracked for `key`, mutable by the service. */
  info(key: string): I | undefined {
    return this.waiters.get(key)?.info;
  }

  /**
   * Registers a caller; its promise rejects with `onTimeout()` after `timeoutMs`.
   * UNAVAILABLE when `max` callers already wait, CONFLICT when `key` is taken.
   */
  add(key: string, info: I, timeoutMs: number, onTimeout: (info: I) => SwarmError): Promise<V> {
    if (this.waiters.size >= this.max) {
      return Promise.reject(new SwarmError('UNAVAILABLE', `${this.max} ${this.what} are already waiting; retry when some have finished`));
    }
    if (this.waiters.has(key)) return Promise.reject(new SwarmError('CONFLICT', `${this.what}: ${key} is already waiting`));
    return new Promise<V>((resolve, reject) => {
      const timer = setTimeout(() => this.reject(key, onTimeout(info)), timeoutMs);
      this.waiters.set(key, { info, resolve, reject, timer });
    });
  }

  resolve(key: string, value: V): boolean {
    const waiter = this.take(key);
    waiter?.resolve(value);
    return waiter !== undefined;
  }

  reject(key: string, err: unknown): boolean {
    const waiter = this.take(key);
    waiter?.reject(err);
    return waiter !== undefined;
  }

  /** Settles every waiter for which `decide` returns something: a value resolves, an error rejects. */
  settleWhere(decide: (info: I) => { value: V } | { error: unknown } | undefined): void {
    for (const [key, waiter] of [...this.waiters]) {
      const outcome = decide(waiter.info);
      if (outcome === undefined) continue;
      if ('error' in outcome) this.reject(key, outcome.error);
      else this.resolve(key, outcome.value);
    }
  }

  /** Rejects every waiter with `err` (the service is stopping). */
  rejectAll(err: unknown): void {
    for (const key of [...this.waiters.keys()]) this.reject(key, err);
  }

  private take(key: string): Waiter<V, I> | undefined {
    const waiter = this.waiters.get(key);
    if (waiter === undefined) return undefined;
    this.waiters.delete(key);
    clearTimeout(waiter.timer);
    return waiter;
  }
}
