import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import type { LbView } from './lb-view.js';
import { fullRuleset, planChanges } from './nft-ruleset.js';
import { backends, port, testService } from './test-views.js';

const node = { subnet: '10.200.1.0/24', gateway: '10.200.1.1' };
const threeBackends = backends(['10.200.1.12', '10.200.1.10', '10.200.2.11'], ['10.200.1.12', '10.200.1.10']);

const lines = (script: string) => script.split('\n').filter((line) => line !== '');
const ruleOf = (script: string, chain: string) => lines(script).find((l) => l.startsWith(`add rule ip swarmts_lb ${chain} `));

test('the VIP chain DNATs round-robin over every backend, in address order', () => {
  const script = fullRuleset({ node, services: [testService({ backends: threeBackends })] });
  assert.match(ruleOf(script, 'svc_web1_vip_tcp_80') ?? '',
    'dnat ip to numgen inc mod 3 map { 0 : 10.200.1.10 . 80, 1 : 10.200.1.12 . 80, 2 : 10.200.2.11 . 80 }');
  assert.ok(lines(script).includes('add element ip swarmts_lb vip_ports { 10.201.0.5 . tcp . 80 : goto svc_web1_vip_tcp_80 }'));
  assert.ok(lines(script).includes('add element ip swarmts_lb vips { 10.201.0.5 }'));
});

test('a published ingress port goes to backends on every node, to their target port', () => {
  const script = fullRuleset({ node, services: [testService({ ports: [port(80, 8080)], backends: threeBackends })] });
  assert.match(ruleOf(script, 'svc_web1_pub_tcp_8080') ?? '', 'mod 3 map { 0 : 10.200.1.10 . 80, 1 : 10.200.1.12 . 80, 2 : 10.200.2.11 . 80 }');
  assert.ok(lines(script).includes('add element ip swarmts_lb published_ports { tcp . 8080 : goto svc_web1_pub_tcp_8080 }'));
});

test('a host-mode published port goes only to local backends', () => {
  const script = fullRuleset({ node, services: [testService({ ports: [port(80, 8080, { mode: 'host' })], backends: threeBackends })] });
  assert.match(ruleOf(script, 'svc_web1_pub_tcp_8080') ?? '', 'mod 2 map { 0 : 10.200.1.10 . 80, 1 : 10.200.1.12 . 80 }');
});

test('a host-mode published port without a local backend is not answered at all', () => {
  const remoteOnly = backends(['10.200.2.11'], []);
  const script = fullRuleset({ node, services: [testService({ ports: [port(80, 8080, { mode: 'host' })], backends: remoteOnly })] });
  assert.not.match(script, '8080');
});

test('a service without ready backends is refused, not black-holed', () => {
  const script = fullRuleset({ node, services: [testService({ ports: [port(80, 8080), port(53, 5353, { protocol: 'udp' })] })] });
  assert.not.match(script, 'svc_web1');
  assert.ok(lines(script).includes('add element ip swarmts_lb vips { 10.201.0.5 }'));
  assert.ok(lines(script).includes('add element ip swarmts_lb refused_ports { tcp . 8080 }'));
  assert.ok(lines(script).includes('add element ip swarmts_lb refused_ports { udp . 5353 }'));
  assert.ok(lines(script).includes('add rule ip swarmts_lb forward_refuse ip daddr @vips goto refuse'));
  assert.ok(lines(script).includes('add rule ip swarmts_lb refuse meta l4proto tcp reject with tcp reset'));
});

test('a dnsrr service has no VIP rules but its published port is balanced', () => {
  const script = fullRuleset({ node, services: [testService({ vip: undefined, ports: [port(80, 8080)], backends: threeBackends })] });
  assert.not.match(script, 'vip_tcp');
  assert.not.match(script, 'add element ip swarmts_lb vips');
  assert.match(script, 'published_ports { tcp . 8080');
});

test('with the node subnet known, only hairpin, cross-node and loopback connections are source-NATed', () => {
  const script = fullRuleset({ node, services: [] });
  const snat = lines(script).filter((l) => l.startsWith('add rule ip swarmts_lb postrouting'));
  assert.equal(snat, [
    'add rule ip swarmts_lb postrouting ct mark & 0x00100000 == 0x00100000 ip saddr 127.0.0.0/8 masquerade',
    'add rule ip swarmts_lb postrouting ct mark & 0x00100000 == 0x00100000 ip daddr != 10.200.1.0/24 snat ip to 10.200.1.1',
    'add rule ip swarmts_lb postrouting ct mark & 0x00100000 == 0x00100000 ip saddr 10.200.1.0/24 snat ip to 10.200.1.1',
  ]);
  assert.match(fullRuleset({ services: [] }), 'postrouting ct mark & 0x00100000 == 0x00100000 masquerade');
});

test('the full ruleset replaces a stale table in the same transaction', () => {
  assert.equal(lines(fullRuleset({ services: [] })).slice(0, 3), ['table ip swarmts_lb {}', 'delete table ip swarmts_lb', 'add table ip swarmts_lb']);
});

const twoServices = (webBackends: string[]): LbView => ({
  node,
  services: [
    testService({ backends: backends(webBackends) }),
    testService({ id: 'db1', fullName: 'shop_db', vip: '10.201.0.6', ports: [port(5432)], backends: backends(['10.200.1.20']) }),
  ],
});

test('removing a backend rewrites only that service\'s chain, in place', () => {
  const script = planChanges(twoServices(['10.200.1.10', '10.200.1.11']), twoServices(['10.200.1.10']));
  assert.equal(lines(script), [
    'flush chain ip swarmts_lb svc_web1_vip_tcp_80',
    'add rule ip swarmts_lb svc_web1_vip_tcp_80 meta l4proto tcp ct mark set ct mark or 0x00100000 dnat ip to numgen inc mod 1 map { 0 : 10.200.1.10 . 80 }',
  ]);
});

test('the same view again, or reordered backends, changes nothing', () => {
  const view = twoServices(['10.200.1.10', '10.200.1.11']);
  assert.is(planChanges(view, view), '');
  assert.is(planChanges(view, twoServices(['10.200.1.11', '10.200.1.10'])), '');
});

test('losing the last backend deletes the element before its chain; gaining one adds the chain first', () => {
  const down = lines(planChanges(twoServices(['10.200.1.10']), twoServices([])));
  assert.equal(down, [
    'delete element ip swarmts_lb vip_ports { 10.201.0.5 . tcp . 80 }',
    'delete chain ip swarmts_lb svc_web1_vip_tcp_80',
  ]);
  const up = lines(planChanges(twoServices([]), twoServices(['10.200.1.10'])));
  assert.equal(up[0], 'add chain ip swarmts_lb svc_web1_vip_tcp_80');
  assert.equal(up.at(-1), 'add element ip swarmts_lb vip_ports { 10.201.0.5 . tcp . 80 : goto svc_web1_vip_tcp_80 }');
});

test('a removed service loses its chains and elements; the other service is untouched', () => {
  const before = twoServices(['10.200.1.10']);
  const after: LbView = { node, services: [before.services[0]!] };
  const script = planChanges(before, after);
  assert.not.match(script, 'web1');
  assert.equal(lines(script), [
    'delete element ip swarmts_lb vips { 10.201.0.6 }',
    'delete element ip swarmts_lb vip_ports { 10.201.0.6 . tcp . 5432 }',
    'delete chain ip swarmts_lb svc_db1_vip_tcp_5432',
  ]);
});

test('a published port moving between services is deleted from the old before it is added to the new', () => {
  const a = testService({ id: 'a', vip: undefined, ports: [port(80, 8080)], backends: backends(['10.200.1.10']) });
  const b = testService({ id: 'b', vip: undefined, ports: [], backends: backends(['10.200.1.20']) });
  const script = lines(planChanges({ node, services: [a, b] }, { node, services: [{ ...a, ports: [] }, { ...b, ports: [port(80, 8080)] }] }));
  const deleted = script.indexOf('delete element ip swarmts_lb published_ports { tcp . 8080 }');
  const added = script.indexOf('add element ip swarmts_lb published_ports { tcp . 8080 : goto svc_b_pub_tcp_8080 }');
  assert.ok(deleted >= 0 && added > deleted, script.join('\n'));
});

test('a changed node subnet rebuilds the whole table', () => {
  const view = twoServices(['10.200.1.10']);
  const script = planChanges(view, { ...view, node: { subnet: '10.200.9.0/24', gateway: '10.200.9.1' } });
  assert.match(script, 'delete table ip swarmts_lb');
  assert.match(script, 'snat ip to 10.200.9.1');
});

test('service ids that are not plain alphanumerics get distinct, valid chain names', () => {
  const script = fullRuleset({ services: [
    testService({ id: 'a-b', vip: '10.201.0.7', backends: backends(['10.200.1.10']) }),
    testService({ id: 'a_b', vip: '10.201.0.8', backends: backends(['10.200.1.10']) }),
  ] });
  const chains = lines(script).filter((l) => l.startsWith('add chain ip swarmts_lb svc_'));
  assert.is(new Set(chains).size, 2);
  for (const chain of chains) assert.match(chain, /^add chain ip swarmts_lb svc_[a-zA-Z0-9_]+$/);
});

test('an invalid view is rejected with every problem listed', () => {
  try {
    planChanges(undefined, { services: [testService({ vip: '10.201.0.300', ports: [port(0, 70000)] })] });
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.ok(isSwarmError(err, 'INVALID_ARGUMENT'));
    assert.match(err.message, 'services[0] (shop_web).vip: expected an IPv4 address');
    assert.match(err.message, 'ports[0].target: expected a port 1-65535, got 0');
    assert.match(err.message, 'ports[0].published: expected a port 1-65535 or undefined, got 70000');
  }
});

test.run();
