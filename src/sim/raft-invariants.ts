import type { Entry } from '../raft/types.js';

/**
 * Raft's safety properties (Raft paper, figure 3), checked as the simulation runs. Each
 * observation is checked against everything seen before in the run, so a violation is caught
 * at the step that causes it:
 * - election safety: at most one leader per term;
 * - log matching: an (index, term) pair names one entry, with one predecessor term;
 * - leader completeness: a new leader holds every entry committed so far;
 * - committed entries never change, also in what a node reloads after a crash;
 * - state machine safety: replicas apply the same entries and reach the same digest at
 *   each index, also when they restore a snapshot.
 */

/** Thrown at the first broken property; the simulation prints it with the seed and step. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
  constructor(
    readonly invariant: string,
    detail: string,
  ) {
    super(`${invariant}: ${detail}`);
  }
}

/** What the checker reads of a node's log: raft's LogStorage, in part. */
export interface LogView {
  firstIndex(): number;
  lastIndex(): number;
  term(index: number): number;
}

interface EntryFact {
  data: Uint8Array;
  /** Term of the entry before it, undefined when that was not known (compacted). */
  prevTerm: number | undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Everything observed in one run, shared by all its nodes. Throws InvariantViolation. */
export class RaftInvariants {
  private readonly leaderOfTerm = new Map<number, string>();
  private readonly entryFacts = new Map<string, EntryFact>();
  private readonly committed = new Map<number, Entry>();
  private committedMax = 0;
  private readonly digestAt = new Map<number, number>();

  /** Entries committed so far: the highest index known committed anywhere. */
  commitIndex(): number {
    return this.committedMax;
  }

  /** A node is leader in `term`. */
  observeLeader(node: string, term: number): void {
    const known = this.leaderOfTerm.get(term);
    if (known !== undefined && known !== node) {
      throw new InvariantViolation('election safety', `${known} and ${node} are both leader in term ${term}`);
    }
    this.leaderOfTerm.set(term, node);
  }

  /** A node appended `entries` to stable storage; `prevTerm` is the term before the first (undefined if compacted). */
  observeAppend(node: string, entries: readonly Entry[], prevTerm: number | undefined): void {
    let before = prevTerm;
    for (const entry of entries) {
      const key = `${entry.index}/${entry.term}`;
      const fact = this.entryFacts.get(key);
      if (fact === undefined) {
        this.entryFacts.set(key, { data: entry.data, prevTerm: before });
      } else {
        if (!sameBytes(fact.data, entry.data)) throw new InvariantViolation('log matching', `${node} holds a different entry at index ${entry.index} term ${entry.term}`);
        if (before !== undefined && fact.prevTerm !== undefined && before !== fact.prevTerm) {
          throw new InvariantViolation('log matching', `${node}'s entry ${entry.index} term ${entry.term} follows term ${before}, elsewhere term ${fact.prevTerm}`);
        }
        if (fact.prevTerm === undefined) fact.prevTerm = before;
      }
      if (entry.term < (before ?? 0)) throw new InvariantViolation('log matching', `${node}'s log goes back from term ${String(before)} to ${entry.term} at index ${entry.index}`);
      before = entry.term;
    }
  }

  /** A node learned these entries are committed (it is about to apply them). */
  observeCommitted(node: string, entries: readonly Entry[]): void {
    for (const entry of entries) {
      const known = this.committed.get(entry.index);
      if (known === undefined) {
        this.committed.set(entry.index, entry);
        this.committedMax = Math.max(this.committedMax, entry.index);
      } else if (known.term !== entry.term || !sameBytes(known.data, entry.data)) {
        throw new InvariantViolation('state machine safety', `${node} commits index ${entry.index} term ${entry.term}, but term ${known.term} was committed there`);
      }
    }
  }

  /** A node's state machine reached `index` with `digest`, by applying entries or restoring a snapshot. */
  observeApplied(node: string, index: number, digest: number): void {
    const known = this.digestAt.get(index);
    if (known === undefined) this.digestAt.set(index, digest);
    else if (known !== digest) throw new InvariantViolation('state machine safety', `${node}'s state at index ${index} differs from another replica's`);
  }

  /** A node became leader: its log must hold every committed entry past its snapshot. */
  checkLeaderCompleteness(node: string, term: number, log: LogView): void {
    const from = log.firstIndex();
    if (log.lastIndex() < this.committedMax) {
      throw new InvariantViolation('leader completeness', `${node} leads term ${term} with log up to ${log.lastIndex()}, but ${this.committedMax} is committed`);
    }
    for (let index = from; index <= this.committedMax; index++) {
      const entry = this.committed.get(index);
      if (entry !== undefined && log.term(index) !== entry.term) {
        throw new InvariantViolation('leader completeness', `${node} leads term ${term} with term ${log.term(index)} at committed index ${index} (term ${entry.term})`);
      }
    }
  }

  /** A node restarted from its write-ahead log: what it reloaded must agree with what was committed. */
  checkReloaded(node: string, commit: number, snapshotIndex: number, entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.index > commit) break;
      const known = this.committed.get(entry.index);
      if (known !== undefined && (known.term !== entry.term || !sameBytes(known.data, entry.data))) {
        throw new InvariantViolation('durability', `${node} reloaded index ${entry.index} term ${entry.term} after a crash, but term ${known.term} was committed there`);
      }
    }
    const last = entries.at(-1)?.index ?? snapshotIndex;
    if (last < commit) {
      throw new InvariantViolation('durability', `${node} reloaded a log ending at ${last} with commit ${commit}: committed entries were lost`);
    }
  }
}
