import { SwarmError } from '../core/errors.js';

/** How `waitFor` polls. */
export interface WaitForOptions {
  /** Give up after this many milliseconds. Default 10000: generous, for loaded CI machines. */
  timeoutMs?: number;
  /** Milliseconds between checks. Default 25. */
  intervalMs?: number;
}

/**
 * Polls `condition` until it returns true, bounded by `timeoutMs`; TIMEOUT names `what`.
 * For tests and scenarios that wait on real networks: never a fixed sleep as an assertion.
 */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, options: WaitForOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadlineMs = performance.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (performance.now() >= deadlineMs) throw new SwarmError('TIMEOUT', `waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
