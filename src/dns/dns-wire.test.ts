import { test } from 'uvu';
import * as assert from 'uvu/assert';
import dnsPacket from 'dns-packet';
import { errorReply, parseQuery, questionName, truncatedReply } from './dns-wire.js';
import { decodeReply, query } from './test-dns-peers.js';

test('parseQuery reads type, class, a lowercase name key and no EDNS size', () => {
  const parsed = parseQuery(query('WeB.Shop', 'SRV'))!;
  assert.is(parsed.opcode, 0);
  assert.is(parsed.questionCount, 1);
  assert.is(parsed.type, 33);
  assert.is(parsed.class, 1);
  assert.is(parsed.nameKey, '\x03web\x04shop\x00');
  assert.is(parsed.ednsUdpBytes, undefined);
  assert.is(parsed.questionEnd, 12 + 10 + 4);
});

test('parseQuery reads the EDNS UDP size, raising sizes under 512 to 512', () => {
  assert.is(parseQuery(query('a', 'A', { edns: 4096 }))!.ednsUdpBytes, 4096);
  assert.is(parseQuery(query('a', 'A', { edns: 100 }))!.ednsUdpBytes, 512);
});

test('questionName gives the dotted lowercase name', () => {
  assert.is(questionName(query('Tasks.WEB.shop.')), 'tasks.web.shop');
  assert.is(questionName(query('.')), '');
});

const unparsable: Array<[string, () => Buffer]> = [
  ['an empty packet', () => Buffer.alloc(0)],
  ['a header alone with one question announced', () => query('a').subarray(0, 12)],
  ['a name cut short', () => query('web.shop').subarray(0, 17)],
  ['a question without type and class', () => query('web.shop').subarray(0, 22)],
  ['a compression pointer as the question name', () => {
    const packet = Buffer.from(query('web.shop'));
    packet[12] = 0xc0;
    return packet;
  }],
  ['a label longer than 63 bytes', () => {
    const packet = Buffer.from(query('web.shop'));
    packet[12] = 64;
    return packet;
  }],
  ['a response', () => {
    const packet = Buffer.from(query('web.shop'));
    packet[2] = packet[2]! | 0x80;
    return packet;
  }],
  ['an additional record count with no record', () => {
    const packet = Buffer.from(query('web.shop'));
    packet.writeUInt16BE(1, 10);
    return packet;
  }],
];

for (const [what, make] of unparsable) {
  test(`parseQuery refuses ${what}`, () => {
    assert.is(parseQuery(make()), undefined);
  });
}

test('a name with a dot or a non-ASCII byte inside a label parses, without a name key', () => {
  const dotted = Buffer.from(query('abc.shop'));
  dotted[13] = 0x2e; // "a.c" as one label
  assert.is(parseQuery(dotted)!.nameKey, undefined);
  const accented = Buffer.from(query('abc.shop'));
  accented[14] = 0xe9;
  assert.is(parseQuery(accented)!.nameKey, undefined);
});

test('two questions parse with their count and no question, for FORMERR', () => {
  const two = dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'a', type: 'A' }, { name: 'b', type: 'A' }] });
  const parsed = parseQuery(two)!;
  assert.is(parsed.questionCount, 2);
  const reply = decodeReply(errorReply(two, parsed, 'FORMERR'));
  assert.is(reply.rcode, 'FORMERR');
  assert.is(reply.id, 9);
  assert.equal(reply.questions, []);
});

test('errorReply echoes the question, id and RD bit', () => {
  const packet = query('Web.Shop', 'A', { id: 77 });
  const reply = decodeReply(errorReply(packet, parseQuery(packet)!, 'SERVFAIL'));
  assert.is(reply.id, 77);
  assert.is(reply.rcode, 'SERVFAIL');
  assert.ok(reply.flag_qr && reply.flag_rd && reply.flag_ra);
  assert.equal(reply.questions, [{ name: 'Web.Shop', type: 'A', class: 'IN' }]);
});

test('truncatedReply keeps header and question, sets TC, and carries OPT for an EDNS query', () => {
  const packet = query('big.s', 'A', { edns: 600 });
  const full = dnsPacket.encode({
    type: 'response', id: 4242, questions: [{ name: 'big.s', type: 'A' }],
    answers: Array.from({ length: 40 }, (_, i) => ({ type: 'A' as const, name: 'big.s', data: `10.0.0.${i}` })),
  });
  const reply = decodeReply(truncatedReply(full, parseQuery(packet)!));
  assert.ok(reply.flag_tc);
  assert.is(reply.id, 4242);
  assert.equal(reply.answers, []);
  assert.equal(reply.additionals.map((r) => r.type), ['OPT']);
});

test.run();
