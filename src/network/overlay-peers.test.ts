import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isolationRuleset } from './isolation-rules.js';
import { vtepMac } from './link-names.js';
import { overlayChanges } from './overlay-peers.js';

test('a new peer gets a route, a neighbour entry and a forwarding entry; unchanged peers get nothing', () => {
  const b = { subnet: '10.200.2.0/24', underlay: '10.99.1.12' };
  assert.equal(vtepMac(b.subnet), '02:73:0a:c8:02:01');
  assert.equal(overlayChanges([], [b]), {
    bridge: ['fdb replace 02:73:0a:c8:02:01 dev swt-vx dst 10.99.1.12 self permanent'],
    ip: ['neigh replace 10.200.2.0 lladdr 02:73:0a:c8:02:01 dev swt-vx nud permanent', 'route replace 10.200.2.0/24 via 10.200.2.0 dev swt-vx onlink'],
  });
  assert.equal(overlayChanges([b], [b]), { bridge: [], ip: [] });
});

test('a peer that moved gets its forwarding entry replaced; a peer that left loses everything', () => {
  const b = { subnet: '10.200.2.0/24', underlay: '10.99.1.12' };
  const moved = overlayChanges([b], [{ ...b, underlay: '10.99.1.20' }]);
  assert.equal(moved.bridge, ['fdb del 02:73:0a:c8:02:01 dev swt-vx dst 10.99.1.12 self', 'fdb replace 02:73:0a:c8:02:01 dev swt-vx dst 10.99.1.20 self permanent']);
  assert.equal(overlayChanges([b], []), { bridge: ['fdb del 02:73:0a:c8:02:01 dev swt-vx dst 10.99.1.12 self'], ip: ['route del 10.200.2.0/24 dev swt-vx', 'neigh del 10.200.2.0 dev swt-vx'] });
});

test('the isolation filter accepts a pair only on a common network and masquerades what leaves the pool', () => {
  const script = isolationRuleset({ pool: '10.200.0.0/16', vipRange: '10.201.0.0/16', networks: [{ name: 'a_default', addresses: ['10.200.1.3', '10.200.1.2'] }, { name: 'b_default', addresses: [] }] });
  assert.match(script, 'delete table inet swarmts');
  assert.match(script, 'set net0 {\n    type ipv4_addr\n    elements = { 10.200.1.2, 10.200.1.3 }\n  }');
  assert.match(script, 'set net1 {\n    type ipv4_addr\n  }', 'an empty set has no elements line');
  assert.match(script, '    ip saddr @net0 ip daddr @net0 accept\n    ip saddr @net1 ip daddr @net1 accept\n    drop');
  assert.match(script, 'ip saddr 10.200.0.0/16 ip daddr != 10.200.0.0/16 masquerade');
  assert.match(script, 'ct status dnat ct original ip daddr != 10.201.0.0/16 accept', 'published ports are open to every client');
  assert.is(script.split('table bridge swarmts {\n')[1]!.includes('ct state'), false, 'the bridge table keeps no connection state');
});

test.run();
