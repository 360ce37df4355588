/**
 * zone-build.ts [SERVICES] [TASKS] — milliseconds to index a view of SERVICES services × TASKS
 * tasks (default 1,000 × 10) with buildDnsZone, as DnsServer.setView does on every view change.
 * Prints {"services":…,"tasks":…,"build_ms_median":…,"build_ms_max":…,"build_cpu_ms_median":…} over 15
 * builds after 3 warm-ups. The CPU figure (this process's user+system time) is steadier than the
 * wall-clock one on a machine shared with other work.
 */
import { buildDnsZone, type DnsView } from '../../../src/dns/index.js';

const servicesCount = Number(process.argv[2] ?? 1000);
const tasksPerService = Number(process.argv[3] ?? 10);
const stacksCount = 20;

const view: DnsView = {
  services: Array.from({ length: servicesCount }, (_, s) => {
    const stack = `stack${s % stacksCount}`;
    return {
      fullName: `${stack}_svc${s}`,
      stack,
      name: `svc${s}`,
      vip: `10.${100 + (s >> 8)}.${s & 255}.1`,
      endpointMode: 'vip' as const,
      networks: [`${stack}_default`],
      ports: [{ target: 80, protocol: 'tcp' as const }],
      tasks: Array.from({ length: tasksPerService }, (_, t) => ({
        id: `t${s}x${t}abcdefghijklmnopq`,
        name: `${stack}_svc${s}.${t + 1}`,
        hostname: `c${s}x${t}`,
        ip: `10.${200 + (s >> 8)}.${s & 255}.${t + 2}`,
        ready: t % 7 !== 0,
      })),
    };
  }),
};

const timesMs: number[] = [];
const cpuMs: number[] = [];
for (let i = 0; i < 18; i++) {
  const started = performance.now();
  const startedCpu = process.cpuUsage();
  buildDnsZone(view);
  const cpu = process.cpuUsage(startedCpu);
  if (i >= 3) {
    timesMs.push(performance.now() - started);
    cpuMs.push((cpu.user + cpu.system) / 1000);
  }
}
timesMs.sort((a, b) => a - b);
cpuMs.sort((a, b) => a - b);
const round = (ms: number): number => Math.round(ms * 10) / 10;
console.log(JSON.stringify({
  services: servicesCount, tasks: servicesCount * tasksPerService,
  build_ms_median: round(timesMs[timesMs.length >> 1]!), build_ms_max: round(timesMs[timesMs.length - 1]!),
  build_cpu_ms_median: round(cpuMs[cpuMs.length >> 1]!),
}));
