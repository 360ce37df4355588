import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../core/clock.js';
import { isSwarmError } from '../../core/errors.js';
import { HostUsageSampler, cpuMillicoresBetween, parseMeminfo, parseProcStat, type HostUsageReader } from './host-usage.js';

const stat = (aggregate: string, cores = 2) =>
  [`cpu  ${aggregate}`, ...Array.from({ length: cores }, (_, i) => `cpu${i} 1 0 1 1 0 0 0 0 0 0`), 'intr 31111727 0 0', 'ctxt 94677217', 'btime 1764400000', ''].join('\n');

const meminfo = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

test('parseProcStat sums the aggregate line, counts idle and iowait as not busy, and counts the cores', () => {
  const cases: Array<[string, string, { busyTicks: number; totalTicks: number; cores: number }]> = [
    ['ten counters (guest inside user)', stat('100 10 50 800 40 0 5 5 7 0'), { busyTicks: 170, totalTicks: 1010, cores: 2 }],
    ['four counters (old kernels)', stat('100 0 50 850', 4), { busyTicks: 150, totalTicks: 1000, cores: 4 }],
    ['this machine\'s shape', 'cpu  3094882 69687 469174 5605414 9223 0 38981 19479 0 0\ncpu0 1 1 1 1 1 0 0 0 0 0\ncpu1 1 1 1 1 1 0 0 0 0 0\n',
      { busyTicks: 3094882 + 69687 + 469174 + 38981 + 19479, totalTicks: 3094882 + 69687 + 469174 + 5605414 + 9223 + 38981 + 19479, cores: 2 }],
  ];
  for (const [name, text, expected] of cases) assert.equal(parseProcStat(text), expected, name);
});

test('parseProcStat refuses text without a usable cpu line, naming what is wrong', () => {
  const cases: Array<[string, string, string]> = [
    ['empty', '', 'no aggregate "cpu" line'],
    ['only per-core lines', 'cpu0 1 2 3 4\n', 'no aggregate "cpu" line'],
    ['too few counters', 'cpu  1 2 3\ncpu0 1 2 3\n', 'expected at least 4 counters, got 3'],
    ['not a number', 'cpu  1 2 x 4\ncpu0 1 2 3 4\n', 'counter 3: expected a whole number, got "x"'],
    ['negative', 'cpu  1 -2 3 4\ncpu0 1 2 3 4\n', 'counter 2'],
    ['no cores', 'cpu  1 2 3 4\n', 'no per-core "cpuN" lines'],
  ];
  for (const [name, text, message] of cases) {
    try {
      parseProcStat(text);
      assert.unreachable(name);
    } catch (err) {
      assert.ok(isSwarmError(err, 'CORRUPT_DATA'), name);
      assert.match((err as Error).message, message, name);
    }
  }
});

test('parseMeminfo is MemTotal minus MemAvailable in bytes, with the old-kernel fallback', () => {
  const cases: Array<[string, string, number]> = [
    ['MemAvailable', meminfo(['MemTotal:       2048000 kB', 'MemFree:         100000 kB', 'MemAvailable:   1536000 kB', 'Buffers:   1 kB', 'Cached:  2 kB', 'HugePages_Total:       0']), 512000 * 1024],
    ['no MemAvailable: free + buffers + cached', meminfo(['MemTotal: 1000 kB', 'MemFree: 100 kB', 'Buffers: 50 kB', 'Cached: 250 kB']), 600 * 1024],
    ['available above total (racy reading) is 0, not negative', meminfo(['MemTotal: 1000 kB', 'MemAvailable: 1200 kB']), 0],
    ['lines in another order, odd keys', meminfo(['Active(anon): 5 kB', 'MemAvailable: 10 kB', 'MemTotal: 30 kB']), 20 * 1024],
  ];
  for (const [name, text, bytes] of cases) assert.is(parseMeminfo(text), bytes, name);
  for (const [name, text] of [['empty', ''], ['no MemTotal', meminfo(['MemAvailable: 10 kB'])], ['no free figure', meminfo(['MemTotal: 10 kB'])], ['garbled', 'MemTotal: lots\n']]) {
    assert.throws(() => parseMeminfo(text!), (err: unknown) => isSwarmError(err, 'CORRUPT_DATA'), name);
  }
});

test('cpuMillicoresBetween is the busy share of the interval times the cores, unknown when time did not move forward', () => {
  const at = (busyTicks: number, totalTicks: number, cores = 2) => ({ busyTicks, totalTicks, cores });
  const cases: Array<[string, ReturnType<typeof at>, ReturnType<typeof at>, number | undefined]> = [
    ['idle', at(100, 1000), at(100, 1200), 0],
    ['a quarter busy on 2 cores', at(100, 1000), at(150, 1200), 500],
    ['all busy on 4 cores', at(0, 0, 4), at(400, 400, 4), 4000],
    ['rounded to whole millicores', at(0, 0, 1), at(1, 3, 1), 333],
    ['no ticks passed', at(100, 1000), at(100, 1000), undefined],
    ['counters went backwards', at(100, 1000), at(50, 900), undefined],
    ['busy grew more than total (garbled)', at(100, 1000), at(400, 1100), undefined],
  ];
  for (const [name, before, after, expected] of cases) assert.is(cpuMillicoresBetween(before, after), expected, name);
});

test('the sampler primes on its first reading, then measures each interval at the clock\'s time; a bad read propagates and the next works', async () => {
  const stats = [stat('0 0 0 1000 0 0 0 0 0 0'), stat('100 0 100 1200 0 0 0 0 0 0'), 'garbage', stat('200 0 100 1300 0 0 0 0 0 0')];
  let reads = 0;
  const reader: HostUsageReader = {
    procStat: async () => stats[reads++]!,
    meminfo: async () => meminfo(['MemTotal: 4000 kB', 'MemAvailable: 3000 kB']),
  };
  const clock = new ManualClock(1_764_400_000_000);
  const sampler = new HostUsageSampler(reader, clock);
  assert.is(await sampler.sample(), undefined, 'one reading says nothing about CPU');
  clock.advance(2500);
  assert.equal(await sampler.sample(), { cpuMillicores: 1000, memoryBytes: 1000 * 1024, sampledAt: 1_764_400_002_500 });
  await sampler.sample().then(() => assert.unreachable('garbage parsed'), (err: unknown) => assert.ok(isSwarmError(err, 'CORRUPT_DATA')));
  clock.advance(2500);
  assert.equal(await sampler.sample(), { cpuMillicores: 1000, memoryBytes: 1000 * 1024, sampledAt: 1_764_400_005_000 }, 'measured against the last good reading');
});

test('the real reader parses this machine\'s /proc', async () => {
  const { procHostUsageReader } = await import('./host-usage.js');
  const times = parseProcStat(await procHostUsageReader.procStat());
  assert.ok(times.cores >= 1 && times.totalTicks > 0);
  assert.ok(parseMeminfo(await procHostUsageReader.meminfo()) > 0);
});

test.run();
