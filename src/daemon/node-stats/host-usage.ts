import { readFile } from 'node:fs/promises';
import type { Clock } from '../../core/clock.js';
import { SwarmError } from '../../core/errors.js';

/**
 * What this host uses of its CPU and memory, measured the way `top` and `free` do: CPU as
 * the busy share of all cores between two readings of /proc/stat, memory as MemTotal minus
 * MemAvailable from /proc/meminfo. The whole machine, not only swarmts' containers: it is
 * what the dashboard sets beside the reservations. Parsing is pure; the sampler reads
 * through an injected `HostUsageReader` and `Clock`.
 */

/** The machine-wide CPU counters of one /proc/stat reading, in USER_HZ ticks. */
export interface CpuTimes {
  /** Ticks spent on anything but idle and iowait, all cores together. */
  busyTicks: number;
  /** All ticks, all cores together (guest time is already inside user and nice). */
  totalTicks: number;
  /** Online cores: the `cpuN` lines. */
  cores: number;
}

/** One measurement of the host. */
export interface HostUsage {
  /** CPU in use over the last interval, millicores (busy share × cores × 1000). */
  cpuMillicores: number;
  /** Memory in use, bytes: MemTotal − MemAvailable. */
  memoryBytes: number;
  /** When it was taken, ms since the epoch on this node's clock. */
  sampledAt: number;
}

function malformed(file: string, what: string): never {
  throw new SwarmError('CORRUPT_DATA', `${file}: ${what}`);
}

/**
 * The aggregate `cpu` line of /proc/stat: `cpu user nice system idle iowait irq softirq
 * steal [guest guest_nice]`. CORRUPT_DATA when the line is missing or not numbers.
 */
export function parseProcStat(text: string): CpuTimes {
  const lines = text.split('\n');
  const line = lines.find((l) => l.startsWith('cpu '));
  if (line === undefined) malformed('/proc/stat', 'no aggregate "cpu" line');
  const fields = line.trim().split(/\s+/).slice(1);
  if (fields.length < 4) malformed('/proc/stat', `cpu line: expected at least 4 counters, got ${fields.length}`);
  const ticks = fields.slice(0, 8).map((field, i) => {
    if (!/^\d+$/.test(field)) malformed('/proc/stat', `cpu line, counter ${i + 1}: expected a whole number, got ${JSON.stringify(field)}`);
    return Number(field);
  });
  const idle = ticks[3]! + (ticks[4] ?? 0);
  const totalTicks = ticks.reduce((sum, t) => sum + t, 0);
  const cores = lines.filter((l) => /^cpu\d+\s/.test(l)).length;
  if (cores === 0) malformed('/proc/stat', 'no per-core "cpuN" lines');
  return { busyTicks: totalTicks - idle, totalTicks, cores };
}

/**
 * Memory in use from /proc/meminfo, bytes: MemTotal − MemAvailable, or on kernels without
 * MemAvailable (before 3.14) MemTotal − (MemFree + Buffers + Cached). CORRUPT_DATA when
 * MemTotal or the free figures are missing.
 */
export function parseMeminfo(text: string): number {
  const kib = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (match !== null) kib.set(match[1]!, Number(match[2]));
  }
  const total = kib.get('MemTotal');
  if (total === undefined) malformed('/proc/meminfo', 'no MemTotal line');
  let available = kib.get('MemAvailable');
  if (available === undefined) {
    const free = kib.get('MemFree');
    if (free === undefined) malformed('/proc/meminfo', 'neither MemAvailable nor MemFree');
    available = free + (kib.get('Buffers') ?? 0) + (kib.get('Cached') ?? 0);
  }
  return Math.max(0, total - available) * 1024;
}

/**
 * Millicores busy between two readings; undefined when no time passed or the counters went
 * backwards (a core taken offline): the next interval will tell.
 */
export function cpuMillicoresBetween(before: CpuTimes, after: CpuTimes): number | undefined {
  const total = after.totalTicks - before.totalTicks;
  const busy = after.busyTicks - before.busyTicks;
  if (total <= 0 || busy < 0 || busy > total) return undefined;
  return Math.round((busy / total) * after.cores * 1000);
}

/** Where the sampler reads the host's figures; `procHostUsageReader` reads /proc. */
export interface HostUsageReader {
  procStat(): Promise<string>;
  meminfo(): Promise<string>;
}

/** The real reader. */
export const procHostUsageReader: HostUsageReader = {
  procStat: () => readFile('/proc/stat', 'utf8'),
  meminfo: () => readFile('/proc/meminfo', 'utf8'),
};

/**
 * Takes host measurements on demand. The first `sample()` only records the CPU counters
 * (a busy share needs two readings) and returns undefined; each later one measures the
 * interval since the previous call. Read and parse errors propagate to the caller, which
 * decides whether to log them; the previous reading is kept so the next call still works.
 */
export class HostUsageSampler {
  private previous: CpuTimes | undefined;

  /** `clock` gives epoch ms (a WallClock): `sampledAt` is read on other nodes. */
  constructor(private readonly reader: HostUsageReader, private readonly clock: Clock) {}

  async sample(): Promise<HostUsage | undefined> {
    const [statText, meminfoText] = await Promise.all([this.reader.procStat(), this.reader.meminfo()]);
    const times = parseProcStat(statText);
    const memoryBytes = parseMeminfo(meminfoText);
    const previous = this.previous;
    this.previous = times;
    if (previous === undefined) return undefined;
    const cpuMillicores = cpuMillicoresBetween(previous, times);
    if (cpuMillicores === undefined) return undefined;
    return { cpuMillicores, memoryBytes, sampledAt: Math.round(this.clock.nowMs()) };
  }
}
