import type { MemberState, MemberUpdate } from './messages.js';
import type { MemberStatus, NodeMeta } from './types.js';

/** What this node currently holds about a member, as far as the rules care. */
export interface KnownState {
  readonly status: MemberStatus;
  readonly incarnation: number;
  readonly meta: NodeMeta;
}

/**
 * What to do with an incoming update:
 * - `ignore`: it is stale, or adds nothing;
 * - `apply`: it replaces our state about the member;
 * - `confirm`: another member also suspects a member we already suspect;
 * - `refute`: it is about us and wrong: bump our incarnation and announce we are alive.
 */
export type Verdict = 'ignore' | 'apply' | 'confirm' | 'refute';

/**
 * memberlist's precedence rules as one pure function (aliveNode, suspectNode, deadNode).
 * A member's own incarnation orders its states: for the same incarnation,
 * dead/left beats suspect beats alive, and only the member itself can move to a higher
 * incarnation, which beats everything before it. `known` is undefined for a stranger;
 * `isSelf` when the update is about this node; `selfLeft` once this node has left, after
 * which it no longer argues with anything said about it.
 */
export function judgeUpdate(known: KnownState | undefined, update: MemberUpdate, isSelf: boolean, selfLeft: boolean): Verdict {
  if (isSelf) return judgeAboutSelf(known, update, selfLeft);
  if (known === undefined) return update.kind === 'alive' ? 'apply' : 'ignore';
  switch (update.kind) {
    case 'alive':
      return update.incarnation > known.incarnation ? 'apply' : 'ignore';
    case 'suspect':
      if (update.incarnation < known.incarnation) return 'ignore';
      // A suspicion at a higher incarnation proves the member refuted ours since: it starts
      // afresh rather than confirming (memberlist confirms, which can kill a member that
      // refuted in time, when we missed only the refutation).
      if (known.status === 'suspect') return update.incarnation === known.incarnation ? 'confirm' : 'apply';
      return known.status === 'alive' ? 'apply' : 'ignore';
    case 'dead':
      if (update.incarnation < known.incarnation) return 'ignore';
      return known.status === 'dead' || known.status === 'left' ? 'ignore' : 'apply';
  }
}

function judgeAboutSelf(known: KnownState | undefined, update: MemberUpdate, selfLeft: boolean): Verdict {
  if (selfLeft || known === undefined) return 'ignore';
  if (update.incarnation < known.incarnation) return 'ignore';
  if (update.kind !== 'alive') return 'refute';
  // Our own announcement echoed back is fine; anything newer or different is not ours
  // (a previous life of this node, or an impostor) and must be outbid.
  if (update.incarnation === known.incarnation && metaEqual(update.meta, known.meta)) return 'ignore';
  return 'refute';
}

/**
 * The update a remote member's full state stands for, when merging push-pull (memberlist's
 * mergeState): a remote `dead` only makes us suspect the member, so one node's stale view
 * cannot kill a member we can still reach; it must fail our own suspicion first. `sender`
 * is the peer the state came from.
 */
export function stateToUpdate(state: MemberState, sender: string): MemberUpdate {
  switch (state.status) {
    case 'alive':
      return { kind: 'alive', incarnation: state.incarnation, meta: state.meta };
    case 'suspect':
    case 'dead':
      return { kind: 'suspect', id: state.meta.id, incarnation: state.incarnation, from: sender };
    case 'left':
      return { kind: 'dead', id: state.meta.id, incarnation: state.incarnation, from: state.meta.id };
  }
}

/** The status an applied update puts a member in. */
export function statusAfter(update: MemberUpdate): MemberStatus {
  if (update.kind === 'alive') return 'alive';
  if (update.kind === 'suspect') return 'suspect';
  return update.from === update.id ? 'left' : 'dead';
}

/** Deep equality of two metadata records (order of addresses matters, of labels not). */
export function metaEqual(a: NodeMeta, b: NodeMeta): boolean {
  if (a === b) return true;
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.role === b.role &&
    a.admission === b.admission &&
    a.capacity.cpuMillicores === b.capacity.cpuMillicores &&
    a.capacity.memoryBytes === b.capacity.memoryBytes &&
    a.addresses.length === b.addresses.length &&
    a.addresses.every((address, i) => address === b.addresses[i]) &&
    recordEqual(a.labels, b.labels) &&
    recordEqual(a.versions, b.versions)
  );
}

function recordEqual(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
