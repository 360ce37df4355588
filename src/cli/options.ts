import { InvalidArgumentError, Option } from 'commander';
import { isImageReference } from '../spec/names.js';
import { parseDuration } from '../spec/units.js';

/** Option parsers the orchestration commands share; a bad value is a usage error (exit 2). */

/** `--format table|json`. */
export function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');
}

/** Collects a repeatable option into a list. */
export const collect = (value: string, previous: string[] = []): string[] => previous.concat(value);

/** `key=value` (value may be empty, may hold '='); `what` names it in the error. */
export function keyValue(text: string, what: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected ${what} as KEY=VALUE, got "${text}"`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** Collects a repeatable `KEY=VALUE` option, refusing values without a key. */
export function collectKeyValue(what: string): (value: string, previous?: string[]) => string[] {
  return (value, previous) => (keyValue(value, what), collect(value, previous));
}

/** A whole number >= 0 given on the command line. */
export function wholeNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new InvalidArgumentError(`expected ${what} to be a whole number >= 0, got "${text}"`);
  return Number(text);
}

/** A duration such as 90s, 5m or 1h30m, in ms. */
export function durationMs(text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** An image reference such as nginx:1.27 or registry:5000/app@sha256:…. */
export function imageReference(text: string): string {
  if (!isImageReference(text)) throw new InvalidArgumentError(`expected an image reference such as nginx:1.27 or registry.local:5000/team/app:2 (lowercase path), got "${text}"`);
  return text;
}
