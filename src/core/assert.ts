/** Thrown by `assert` when a programmer's invariant does not hold: a bug, never user input. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Crash loudly when an invariant is broken. Use SwarmError for expected failures. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(`assertion failed: ${message}`);
}

/** Marks a switch as exhaustive: the compiler proves `value` is `never`. */
export function unreachable(value: never, what: string): never {
  throw new AssertionError(`unreachable ${what}: ${JSON.stringify(value)}`);
}
