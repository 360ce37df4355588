/**
 * serve.ts ADDRESS PORT DIR [UDP_WORKERS] [UDP_FRONTEND] — swarmts's DNS server for the benchmark, answering a synthetic
 * view of 50 services × 5 tasks in stack "bench", its UDP read by UDP_FRONTEND ("native":
 * swarmts-dns, the default; or "node"). Writes DIR/hosts (the same names for
 * dnsmasq) and DIR/queries.txt (dnsperf's input: each service's name.stack, type A), prints
 * "listening on ADDRESS:PORT", and on SIGTERM prints its counters as JSON to stderr and exits.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DnsServer, defaultDnsServerConfig, type DnsView } from '../../../src/dns/index.js';

const [address, portText, dir, workersText = '0', frontend = 'native'] = process.argv.slice(2);
if (address === undefined || portText === undefined || dir === undefined) {
  console.error('usage: serve.ts ADDRESS PORT DIR [UDP_WORKERS] [native|node] (e.g. 127.0.0.54 5354 /tmp/bench 0 native)');
  process.exit(2);
}
const servicesCount = 50;
const tasksPerService = 5;

const view: DnsView = {
  services: Array.from({ length: servicesCount }, (_, s) => ({
    fullName: `bench_web${s + 1}`,
    stack: 'bench',
    name: `web${s + 1}`,
    vip: `10.240.0.${s + 1}`,
    endpointMode: 'vip' as const,
    networks: ['bench_default'],
    ports: [{ target: 80, protocol: 'tcp' as const }],
    tasks: Array.from({ length: tasksPerService }, (_, t) => ({
      id: `task${s + 1}x${t + 1}`,
      name: `bench_web${s + 1}.${t + 1}`,
      hostname: `web${s + 1}-${t + 1}`,
      ip: `10.241.${s + 1}.${t + 1}`,
      ready: true,
    })),
  })),
};
writeFileSync(join(dir, 'hosts'), view.services.map((s) => `${s.vip} ${s.name}.${s.stack} ${s.fullName}\n`).join(''));
writeFileSync(join(dir, 'queries.txt'), view.services.map((s) => `${s.name}.${s.stack} A\n`).join(''));

if (frontend !== 'native' && frontend !== 'node') {
  console.error(`serve.ts: UDP_FRONTEND: expected "native" or "node", got "${frontend}"`);
  process.exit(2);
}
const config = { ...defaultDnsServerConfig(address, []), port: Number(portText), udpWorkers: Number(workersText), udpFrontend: frontend as 'native' | 'node' };
const server = new DnsServer(config, view);
await server.start();
console.log(`listening on ${address}:${server.port}`);
process.on('SIGTERM', () => {
  void server.counters()
    .then((counters) => console.error(JSON.stringify(counters)))
    .then(() => server.close())
    .then(() => process.exit(0));
});
