import type { SwarmError } from '../core/errors.js';

/**
 * Settles like `promise`, or rejects with `error()` as soon as `signal` aborts. The promise
 * itself keeps running: pass the signal down as well so the work can stop.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, error: () => SwarmError): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(error());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(error());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** An AbortController that aborts itself after `timeoutMs`; `dispose()` clears the timer. */
export function deadline(timeoutMs: number): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}
