import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blockContains, formatIpv4, formatIpv4Block, isIpv4, parseIpv4, parseIpv4Block, subBlock } from './ipv4.js';

test('dotted addresses parse to numbers and back; anything else, leading zeros included, is refused', () => {
  assert.is(parseIpv4('10.200.3.7'), 0x0ac80307);
  assert.is(formatIpv4(parseIpv4('255.255.255.255')!), '255.255.255.255');
  for (const bad of ['10.0.0', '10.0.0.256', '010.0.0.1', '1.2.3.4.5', ' 1.2.3.4', 'a.b.c.d']) assert.is(parseIpv4(bad), undefined, bad);
  assert.ok(isIpv4('0.0.0.0'));
  assert.not.ok(isIpv4(42));
});

test('blocks: host bits refused, sub-blocks and containment', () => {
  const pool = parseIpv4Block('10.200.0.0/16')!;
  assert.equal(parseIpv4Block('10.200.1.0/16'), undefined, 'host bits set');
  assert.equal(parseIpv4Block('10.200.0.0/33'), undefined);
  assert.is(formatIpv4Block(subBlock(pool, 24, 3)), '10.200.3.0/24');
  assert.ok(blockContains(pool, parseIpv4('10.200.255.1')!));
  assert.not.ok(blockContains(pool, parseIpv4('10.201.0.1')!));
});

test.run();
