import { SwarmError } from '../../core/errors.js';
import { checkDigest } from './digest.js';
import { parseJsonObject } from './manifest.js';

/**
 * The parts of an OCI image config (`config` and `rootfs`) that swarmts uses. Field names
 * are the camelCase forms of the config's `Entrypoint`, `Cmd`, ... so a container record
 * can carry them as they are.
 */

/** How an image says its container should be health-checked (Docker's HEALTHCHECK). */
export interface ImageHealthcheck {
  /** `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  startPeriodMs?: number;
  retries?: number;
}

/** What a container inherits from its image. Every field is optional in images. */
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  /** `"80/tcp"`-style keys of the config's ExposedPorts. */
  exposedPorts?: string[];
  labels?: Record<string, string>;
  stopSignal?: string;
  healthcheck?: ImageHealthcheck;
}

/** A parsed config blob: the container defaults, the platform and the layers' diff ids. */
export interface ParsedImageConfig {
  config: ImageConfig;
  os: string;
  architecture: string;
  variant: string | undefined;
  /** sha256 of each uncompressed layer tar, bottom first. */
  diffIds: string[];
  createdAt: string | undefined;
}

const nsPerMs = 1_000_000;

function bad(what: string, why: string): SwarmError {
  return new SwarmError('CORRUPT_DATA', `${what}: ${why}`);
}

function strings(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw bad(what, 'expected an array of strings');
  return value;
}

function str(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw bad(what, 'expected a string');
  return value;
}

function durationMs(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === 0) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw bad(what, 'expected a non-negative duration in nanoseconds');
  return value / nsPerMs;
}

function parseHealthcheck(value: unknown, what: string): ImageHealthcheck | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(what, 'expected an object');
  const h = value as Record<string, unknown>;
  const test = strings(h['Test'], `${what}.Test`);
  if (test === undefined || test.length === 0) return undefined;
  const out: ImageHealthcheck = { test };
  const intervalMs = durationMs(h['Interval'], `${what}.Interval`);
  const timeoutMs = durationMs(h['Timeout'], `${what}.Timeout`);
  const startPeriodMs = durationMs(h['StartPeriod'], `${what}.StartPeriod`);
  if (intervalMs !== undefined) out.intervalMs = intervalMs;
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  if (startPeriodMs !== undefined) out.startPeriodMs = startPeriodMs;
  if (h['Retries'] !== undefined && h['Retries'] !== 0) {
    if (!Number.isInteger(h['Retries']) || (h['Retries'] as number) < 0) throw bad(`${what}.Retries`, 'expected a non-negative integer');
    out.retries = h['Retries'] as number;
  }
  return out;
}

/** Parses a config blob; CORRUPT_DATA names the field that is wrong. */
export function parseImageConfig(bytes: Uint8Array, what: string): ParsedImageConfig {
  const doc = parseJsonObject(bytes, what);
  const c = (doc['config'] ?? {}) as Record<string, unknown>;
  if (typeof c !== 'object' || Array.isArray(c)) throw bad(`${what}.config`, 'expected an object');
  const config: ImageConfig = {};
  const set = <K extends keyof ImageConfig>(key: K, value: ImageConfig[K] | undefined) => { if (value !== undefined) config[key] = value; };
  set('entrypoint', strings(c['Entrypoint'], `${what}.config.Entrypoint`));
  set('cmd', strings(c['Cmd'], `${what}.config.Cmd`));
  set('env', strings(c['Env'], `${what}.config.Env`));
  set('workingDir', str(c['WorkingDir'], `${what}.config.WorkingDir`));
  set('user', str(c['User'], `${what}.config.User`));
  set('stopSignal', str(c['StopSignal'], `${what}.config.StopSignal`));
  if (c['ExposedPorts'] !== undefined && c['ExposedPorts'] !== null) {
    if (typeof c['ExposedPorts'] !== 'object') throw bad(`${what}.config.ExposedPorts`, 'expected an object');
    config.exposedPorts = Object.keys(c['ExposedPorts'] as object).sort();
  }
  if (c['Labels'] !== undefined && c['Labels'] !== null) {
    const labels = c['Labels'] as Record<string, unknown>;
    if (typeof labels !== 'object' || !Object.values(labels).every((v) => typeof v === 'string')) throw bad(`${what}.config.Labels`, 'expected an object of strings');
    config.labels = labels as Record<string, string>;
  }
  set('healthcheck', parseHealthcheck(c['Healthcheck'], `${what}.config.Healthcheck`));
  const rootfs = doc['rootfs'] as Record<string, unknown> | undefined;
  if (typeof rootfs !== 'object' || rootfs === null || !Array.isArray(rootfs['diff_ids'])) throw bad(`${what}.rootfs`, 'expected {"type": "layers", "diff_ids": [...]}');
  const diffIds = (rootfs['diff_ids'] as unknown[]).map((d, i) => {
    try {
      return checkDigest(d, `${what}.rootfs.diff_ids[${i}]`);
    } catch (err) {
      throw new SwarmError('CORRUPT_DATA', (err as Error).message);
    }
  });
  return {
    config,
    os: str(doc['os'], `${what}.os`) ?? 'linux',
    architecture: str(doc['architecture'], `${what}.architecture`) ?? 'amd64',
    variant: str(doc['variant'], `${what}.variant`),
    diffIds,
    createdAt: str(doc['created'], `${what}.created`),
  };
}
