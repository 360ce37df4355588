/** Prepared replies by client scope, question type and class, and name; emptied with each new view. */
import type { PreparedReply, Rcode } from './dns-wire.js';

/** What the server decided for one question from one scope. */
export type CachedDecision =
  | { kind: 'local'; reply: PreparedReply; rcode: Rcode; hits: number }
  | { kind: 'forward' };

/**
 * Maps (scope id, type, class, name key) to a decision. Nested maps rather than one joined
 * string key: the hot path then allocates nothing to look up.
 */
export class AnswerCache {
  private readonly byScope = new Map<number, Map<number, Map<string, CachedDecision>>>();
  private entries = 0;

  /** `entriesMax` bounds memory against a client asking for endless distinct names. */
  constructor(private readonly entriesMax: number) {}

  get(scopeId: number, type: number, klass: number, nameKey: string): CachedDecision | undefined {
    return this.byScope.get(scopeId)?.get(type * 65536 + klass)?.get(nameKey);
  }

  set(scopeId: number, type: number, klass: number, nameKey: string, decision: CachedDecision): void {
    if (this.entries >= this.entriesMax) {
      this.byScope.clear();
      this.entries = 0;
    }
    let byType = this.byScope.get(scopeId);
    if (byType === undefined) this.byScope.set(scopeId, (byType = new Map()));
    let byName = byType.get(type * 65536 + klass);
    if (byName === undefined) byType.set(type * 65536 + klass, (byName = new Map()));
    if (!byName.has(nameKey)) this.entries++;
    byName.set(nameKey, decision);
  }
}
