import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDnsZone } from './dns-zone.js';
import { answer, clusterRecordTtlS, type DnsZoneAnswer } from './zone-answer.js';
import { service, task, twoStacks } from './test-fixtures.js';

const zone = buildDnsZone(twoStacks());
const shopWeb = '10.200.1.11';
const shopWebStarting = '10.200.1.13';
const shopDb = '10.200.2.11';
const blogWeb = '10.200.3.11';
const host = undefined;

/** The answer reduced to what the tables compare: forward, or rcode and the records' data. */
function brief(result: DnsZoneAnswer): string {
  if (result.kind === 'forward') return 'forward';
  const data = result.answers.map((r) => (r.type === 'SRV' ? `${r.data.target}:${r.data.port}` : r.data));
  return `${result.rcode} ${data.join(' ')}`.trim();
}

const cases: Array<[string, string, string, string | undefined, string]> = [
  // [what, name, type, client, expected]
  ['short name from a task of the stack: the VIP', 'web', 'A', shopWeb, 'NOERROR 10.200.0.2'],
  ['the short name follows the client\'s stack', 'web', 'A', blogWeb, 'NOERROR 10.200.0.9'],
  ['a starting (not ready) task is still a client of its stack', 'web', 'A', shopWebStarting, 'NOERROR 10.200.0.2'],
  ['upper case and a trailing dot', 'WeB.', 'A', shopWeb, 'NOERROR 10.200.0.2'],
  ['name.stack from the host', 'web.shop', 'A', host, 'NOERROR 10.200.0.2'],
  ['stack_name from the host', 'SHOP_WEB.', 'A', host, 'NOERROR 10.200.0.2'],
  ['an address that is no task is the host', 'blog_web', 'A', '192.168.1.5', 'NOERROR 10.200.0.9'],
  ['short names mean nothing to the host: forwarded', 'web', 'A', host, 'forward'],
  ['another stack on another network is hidden', 'web.shop', 'A', blogWeb, 'NXDOMAIN'],
  ['its stack_name form too', 'shop_web', 'A', blogWeb, 'NXDOMAIN'],
  ['and its tasks', 'tasks.shop_web', 'A', blogWeb, 'NXDOMAIN'],
  ['and its task names', 'shop_web.1', 'A', blogWeb, 'NXDOMAIN'],
  ['tasks.name: ready tasks only', 'tasks.web', 'A', shopWeb, 'NOERROR 10.200.1.11 10.200.1.12'],
  ['tasks.name.stack', 'tasks.web.shop', 'A', host, 'NOERROR 10.200.1.11 10.200.1.12'],
  ['tasks.stack_name', 'tasks.shop_web', 'A', shopDb, 'NOERROR 10.200.1.11 10.200.1.12'],
  ['dnsrr: the name answers the ready tasks', 'db', 'A', shopWeb, 'NOERROR 10.200.2.11 10.200.2.12'],
  ['dnsrr by stack_name', 'shop_db', 'A', host, 'NOERROR 10.200.2.11 10.200.2.12'],
  ['a name without records of the type: NODATA', 'web.shop', 'AAAA', host, 'NOERROR'],
  ['task name', 'shop_web.2', 'A', host, 'NOERROR 10.200.1.12'],
  ['task name and id', 'shop_web.2.shopwebtask2', 'A', shopWeb, 'NOERROR 10.200.1.12'],
  ['a hostname with a task id is no name', 'shop-web-2.shopwebtask2', 'A', host, 'forward'],
  ['a task name with another task\'s id is no name', 'shop_web.2.shopwebtask1', 'A', host, 'forward'],
  ['hostname', 'shop-web-1', 'A', shopDb, 'NOERROR 10.200.1.11'],
  ['hostname given in mixed case', 'PRIMARY', 'A', shopWeb, 'NOERROR 10.200.2.11'],
  ['a task that is not ready: the name exists, no address', 'shop_web.3', 'A', host, 'NOERROR'],
  ['PTR of a task', '11.1.200.10.in-addr.arpa', 'PTR', host, 'NOERROR shop_web.1'],
  ['PTR of a VIP', '2.0.200.10.in-addr.arpa.', 'PTR', shopDb, 'NOERROR shop_web'],
  ['PTR hidden like the names', '2.0.200.10.in-addr.arpa', 'PTR', blogWeb, 'NXDOMAIN'],
  ['PTR of a task that is not ready', '13.1.200.10.in-addr.arpa', 'PTR', host, 'NOERROR'],
  ['PTR of an address the cluster does not use', '99.9.200.10.in-addr.arpa', 'PTR', host, 'forward'],
  ['SRV per ready task', '_80._tcp.web', 'SRV', shopWeb, 'NOERROR shop_web.1:80 shop_web.2:80'],
  ['SRV by name.stack', '_80._TCP.web.shop.', 'SRV', host, 'NOERROR shop_web.1:80 shop_web.2:80'],
  ['SRV for a port the service does not have', '_81._tcp.web', 'SRV', shopWeb, 'NXDOMAIN'],
  ['SRV for the other protocol', '_80._udp.web', 'SRV', shopWeb, 'NXDOMAIN'],
  ['SRV name asked for A: NODATA', '_80._tcp.web', 'A', shopWeb, 'NOERROR'],
  ['SRV under a name that is no service', '_80._tcp.shop_web.1', 'SRV', host, 'forward'],
  ['ANY gives the A records', 'web.shop', 'ANY', host, 'NOERROR 10.200.0.2'],
  ['a name outside the cluster', 'example.com', 'A', shopWeb, 'forward'],
  ['a cluster-like suffix is not enough', 'x.web.shop', 'A', shopWeb, 'forward'],
  ['the empty (root) name', '', 'A', host, 'forward'],
  ['a non-IN class for a cluster name', 'web.shop', 'A', host, 'REFUSED'],
];

for (const [what, name, type, client, expected] of cases) {
  test(`answer: ${what} (${name} ${type} from ${client ?? 'the host'})`, () => {
    const klass = what.startsWith('a non-IN class') ? 'CH' : 'IN';
    assert.is(brief(answer(zone, { name, type, class: klass }, client)), expected);
  });
}

test('cluster records carry the short TTL', () => {
  const result = answer(zone, { name: 'tasks.web.shop', type: 'A', class: 'IN' }, host);
  assert.ok(result.kind === 'records');
  assert.ok(result.answers.every((r) => r.ttl === clusterRecordTtlS));
  assert.ok(clusterRecordTtlS <= 1);
});

test('SRV answers add the A record of each target', () => {
  const result = answer(zone, { name: '_80._tcp.web', type: 'SRV', class: 'IN' }, shopWeb);
  assert.ok(result.kind === 'records');
  assert.equal(result.additionals, [
    { type: 'A', name: 'shop_web.1', ttl: clusterRecordTtlS, data: '10.200.1.11' },
    { type: 'A', name: 'shop_web.2', ttl: clusterRecordTtlS, data: '10.200.1.12' },
  ]);
});

test('a service on a network the client shares is visible across stacks', () => {
  const view = twoStacks();
  view.services[2]!.networks.push('shop_default');
  const shared = buildDnsZone(view);
  assert.is(brief(answer(shared, { name: 'web.blog', type: 'A', class: 'IN' }, shopWeb)), 'NOERROR 10.200.0.9');
  assert.is(brief(answer(shared, { name: 'web', type: 'A', class: 'IN' }, shopWeb)), 'NOERROR 10.200.0.2', 'short names stay in the stack');
});

test('a service name wins over an equal hostname', () => {
  const view = twoStacks();
  view.services[1]!.tasks[0]!.hostname = 'shop_web';
  const clash = buildDnsZone(view);
  assert.is(brief(answer(clash, { name: 'shop_web', type: 'A', class: 'IN' }, host)), 'NOERROR 10.200.0.2');
});

test('a VIP-mode service without a VIP answers its tasks', () => {
  const view = { services: [service('s', 'a', { tasks: [task('s_a', 1, 4)] })] };
  assert.is(brief(answer(buildDnsZone(view), { name: 'a.s', type: 'A', class: 'IN' }, host)), 'NOERROR 10.200.4.11');
});

test('a VIP answers even while no task is ready; its tasks do not', () => {
  const view = { services: [service('s', 'a', { vip: '10.200.0.5', tasks: [task('s_a', 1, 4, { ready: false })] })] };
  const starting = buildDnsZone(view);
  assert.is(brief(answer(starting, { name: 'a.s', type: 'A', class: 'IN' }, host)), 'NOERROR 10.200.0.5');
  assert.is(brief(answer(starting, { name: 'tasks.a.s', type: 'A', class: 'IN' }, host)), 'NOERROR');
});

test('addresses that are not IPv4 are skipped and reported', () => {
  const view = {
    services: [service('s', 'a', { vip: 'fd00::1', tasks: [task('s_a', 1, 4), task('s_a', 2, 4, { ip: '10.200.4.999' })] })],
  };
  const skipping = buildDnsZone(view);
  assert.is(skipping.skipped.length, 2);
  assert.match(skipping.skipped[0]!, 'service s_a: VIP "fd00::1" is not an IPv4 address');
  assert.match(skipping.skipped[1]!, 'task s_a.2: ip "10.200.4.999" is not an IPv4 address');
  assert.is(brief(answer(skipping, { name: 'a.s', type: 'A', class: 'IN' }, host)), 'NOERROR 10.200.4.11');
});

test('an address reused by a ready task and a stopping one belongs to the ready one', () => {
  const view = {
    services: [
      service('old', 'a', { tasks: [task('old_a', 1, 5, { ready: false })] }),
      service('new', 'b', { tasks: [task('new_b', 1, 5)] }),
    ],
  };
  const reused = buildDnsZone(view);
  assert.is(brief(answer(reused, { name: 'b', type: 'A', class: 'IN' }, '10.200.5.11')), 'NOERROR 10.200.5.11');
  assert.is(brief(answer(reused, { name: 'a', type: 'A', class: 'IN' }, '10.200.5.11')), 'forward');
});

test('an empty view forwards everything', () => {
  assert.is(brief(answer(buildDnsZone({ services: [] }), { name: 'web.shop', type: 'A', class: 'IN' }, host)), 'forward');
});

test.run();
