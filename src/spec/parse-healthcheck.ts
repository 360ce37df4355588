import type { HealthcheckSpec } from './service-spec.js';
import { child, describe, readBool, readDurationMs, readFields, readInt, readString } from './read-values.js';
import type { Reporter } from './reporter.js';
import type { YNode } from './yaml-tree.js';

/** Docker's defaults for a health check, used where the file gives no value. */
export const healthcheckDefaults = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 } as const;

const testForms = 'a string, ["CMD", "exe", ...], ["CMD-SHELL", "script"] or ["NONE"]';

/**
 * Reads a service's `healthcheck`. `disable: true` gives test ['NONE'] (the image's check
 * is turned off); no `test` gives [] (the image's test, with these timings).
 */
export function readHealthcheck(node: YNode, path: string, r: Reporter): HealthcheckSpec | undefined {
  const fields = readFields(node, path, r, {
    known: ['test', 'interval', 'timeout', 'retries', 'start_period', 'disable'],
    ignored: ['start_interval'],
  });
  if (fields === undefined) return undefined;
  const disableNode = fields.present('disable');
  if (disableNode !== undefined && readBool(disableNode, fields.at('disable'), r) === true) {
    const others = fields.node.entries.filter((e) => e.key !== 'disable').map((e) => e.key);
    if (others.length > 0) r.error(disableNode.pos, fields.at('disable'), `expected no other healthcheck options with disable: true, got ${others.join(', ')}`);
    return { test: ['NONE'], ...healthcheckDefaults };
  }
  const testNode = fields.present('test');
  const duration = (key: string, fallback: number) => {
    const value = fields.present(key);
    const ms = value === undefined ? undefined : readDurationMs(value, fields.at(key), r);
    return ms === undefined || ms === 0 ? fallback : ms;
  };
  const retriesNode = fields.present('retries');
  return {
    test: testNode === undefined ? [] : readTest(testNode, fields.at('test'), r),
    intervalMs: duration('interval', healthcheckDefaults.intervalMs),
    timeoutMs: duration('timeout', healthcheckDefaults.timeoutMs),
    retries: (retriesNode && readInt(retriesNode, fields.at('retries'), r)) ?? healthcheckDefaults.retries,
    startPeriodMs: duration('start_period', healthcheckDefaults.startPeriodMs),
  };
}

function readTest(node: YNode, path: string, r: Reporter): string[] {
  if (node.kind === 'scalar' && typeof node.value === 'string') return ['CMD-SHELL', node.value];
  if (node.kind !== 'seq') {
    r.error(node.pos, path, `expected ${testForms}, got ${describe(node)}`);
    return [];
  }
  const words = node.items.map((item, i) => readString(item, child(path, i), r) ?? '');
  const [kind, ...rest] = words;
  const ok = (kind === 'CMD' && rest.length >= 1) || (kind === 'CMD-SHELL' && rest.length === 1) || (kind === 'NONE' && rest.length === 0);
  if (!ok) r.error(node.pos, path, `expected ${testForms}, got ${JSON.stringify(words)}`);
  return ok ? words : [];
}
