/**
 * A linearizability checker for client histories: Wing and Gong's search with Lowe's
 * memoization, as Porcupine implements it. It looks for an order of the operations that
 * respects real time (an operation that returned before another was called comes first)
 * and that a sequential model accepts. Histories are split into independent parts (per key
 * for a KV store) first, which keeps the search small.
 *
 * An operation whose outcome the client never learned (it timed out and gave up) has no
 * return time and no output: it may take effect at any point after its call, or never,
 * which is the same as taking effect after everything else.
 */

/** One client operation as the client saw it. */
export interface Operation<I, O> {
  /** Which client issued it: for error reports. */
  clientId: string;
  input: I;
  /** Undefined when the outcome is unknown. */
  output: O | undefined;
  /** Virtual time of the call, ms. */
  callMs: number;
  /** Virtual time of the return, ms; undefined when the outcome is unknown. */
  returnMs: number | undefined;
}

/** A sequential specification: what one operation does to the state and may return. */
export interface Model<S, I, O> {
  init(): S;
  /** Whether `input` returning `output` (undefined: unknown) is legal in `state`, and the state after. */
  step(state: S, input: I, output: O | undefined): { ok: boolean; state: S };
  /** A string that is equal for equal states: the memo key. */
  key(state: S): string;
  /** Splits a history into parts that cannot affect one another; each is checked alone. */
  partition(history: Operation<I, O>[]): Operation<I, O>[][];
}

/** How a check ended. */
export type CheckResult =
  | { verdict: 'ok' }
  /** `part` is the smallest independent part of the history that no order explains. */
  | { verdict: 'illegal'; part: number; operations: number }
  /** The search gave up after `stepsMax` steps: neither proven nor refuted. */
  | { verdict: 'unknown'; part: number };

/** The search's limit. */
export interface CheckConfig {
  /** Search steps per part before giving up with 'unknown'. Default 2,000,000 (about a second). */
  stepsMax: number;
}

/** The default search limit. */
export function defaultCheckConfig(): CheckConfig {
  return { stepsMax: 2_000_000 };
}

interface Node {
  /** The operation's index in its part, or -1 for the list head. */
  op: number;
  isCall: boolean;
  /** A call's matching return (returns link back to their call). */
  match: Node | undefined;
  prev: Node | undefined;
  next: Node | undefined;
}

/** Checks `history` against `model`. */
export function checkLinearizable<S, I, O>(model: Model<S, I, O>, history: Operation<I, O>[], config: CheckConfig = defaultCheckConfig()): CheckResult {
  const parts = model.partition(history);
  for (let part = 0; part < parts.length; part++) {
    const result = checkPart(model, parts[part]!, config.stepsMax);
    if (result !== 'ok') return result === 'illegal' ? { verdict: 'illegal', part, operations: parts[part]!.length } : { verdict: 'unknown', part };
  }
  return { verdict: 'ok' };
}

/** The events of a part as a doubly linked list, calls before returns at equal times. */
function buildList<I, O>(ops: Operation<I, O>[]): Node {
  const events: { time: number; isCall: boolean; op: number }[] = [];
  ops.forEach((op, i) => {
    events.push({ time: op.callMs, isCall: true, op: i });
    events.push({ time: op.returnMs ?? Infinity, isCall: false, op: i });
  });
  // Calls first at equal times: operations that touch in time count as concurrent.
  events.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.op - b.op);
  const head: Node = { op: -1, isCall: false, match: undefined, prev: undefined, next: undefined };
  const calls = new Map<number, Node>();
  let last = head;
  for (const event of events) {
    const node: Node = { op: event.op, isCall: event.isCall, match: undefined, prev: last, next: undefined };
    if (event.isCall) calls.set(event.op, node);
    else {
      const call = calls.get(event.op)!;
      call.match = node;
      node.match = call;
    }
    last.next = node;
    last = node;
  }
  return head;
}

/** Removes a call and its return from the list. */
function lift(call: Node): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

/** Puts them back, in reverse order of removal. */
function unlift(call: Node): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

function checkPart<S, I, O>(model: Model<S, I, O>, ops: Operation<I, O>[], stepsMax: number): 'ok' | 'illegal' | 'unknown' {
  const head = buildList(ops);
  const linearized = new Uint32Array(Math.ceil(ops.length / 32) + 1);
  const seen = new Set<string>();
  const stack: { call: Node; state: S }[] = [];
  let state = model.init();
  let entry = head.next;
  for (let steps = 0; head.next !== undefined; steps++) {
    if (steps > stepsMax) return 'unknown';
    if (entry === undefined) return 'illegal';
    if (entry.isCall) {
      const op = ops[entry.op]!;
      const result = model.step(state, op.input, op.output);
      if (result.ok) {
        setBit(linearized, entry.op, true);
        const memo = `${linearized.join(',')}|${model.key(result.state)}`;
        if (!seen.has(memo)) {
          seen.add(memo);
          stack.push({ call: entry, state });
          state = result.state;
          lift(entry);
          entry = head.next;
          continue;
        }
        setBit(linearized, entry.op, false);
      }
      entry = entry.next;
      continue;
    }
    // A return whose call is not yet linearized: this order cannot work, undo the last choice.
    const top = stack.pop();
    if (top === undefined) return 'illegal';
    setBit(linearized, top.call.op, false);
    state = top.state;
    unlift(top.call);
    entry = top.call.next;
  }
  return 'ok';
}

function setBit(bits: Uint32Array, i: number, on: boolean): void {
  const word = i >>> 5;
  const mask = 1 << (i & 31);
  bits[word] = on ? bits[word]! | mask : bits[word]! & ~mask;
}

/** A key-value store operation. */
export type KvInput =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'cas'; key: string; expected: string | undefined; value: string };

/** What a KV operation returned: the value read by get, whether a cas swapped. */
export type KvOutput = { kind: 'put' } | { kind: 'get'; value: string | undefined } | { kind: 'cas'; swapped: boolean };

/** A register per key, starting absent; histories are checked one key at a time. */
export const kvModel: Model<string | undefined, KvInput, KvOutput> = {
  init: () => undefined,
  step(state, input, output) {
    switch (input.kind) {
      case 'put':
        return { ok: true, state: input.value };
      case 'get':
        return { ok: output === undefined || (output.kind === 'get' && output.value === state), state };
      case 'cas': {
        const swaps = state === input.expected;
        const ok = output === undefined || (output.kind === 'cas' && output.swapped === swaps);
        return { ok, state: swaps ? input.value : state };
      }
    }
  },
  key: (state) => (state === undefined ? '\u0000' : `=${state}`),
  partition(history) {
    const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
    for (const op of history) {
      const list = byKey.get(op.input.key) ?? [];
      list.push(op);
      byKey.set(op.input.key, list);
    }
    return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
  },
};
