import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSwarmError } from '../core/errors.js';
import { randomBytes } from 'node:crypto';
import { CertificateVerifier, generateAuthority, issueCertificate, readClaims } from './certificate.js';
import { joinProof, roleProvenBy } from './join-proof.js';
import { MemberGate } from './member-gate.js';
import { testMeta } from '../membership/test-fixtures.js';
import { formatJoinToken, generateJoinSecret, parseJoinToken } from './join-token.js';

const psk = () => new Uint8Array(randomBytes(32));
const peerA = '12D3KooWA';
const peerB = '12D3KooWB';

test('a join token round-trips and looks like a Swarm token', () => {
  const token = { psk: psk(), secret: generateJoinSecret() };
  const text = formatJoinToken(token);
  assert.match(text, /^SWMTKN-1-[0-9a-f]{64}-[0-9a-f]{32}$/);
  const parsed = parseJoinToken(`  ${text}\n`);
  assert.equal([...parsed.psk], [...token.psk]);
  assert.equal([...parsed.secret], [...token.secret]);
});

test('malformed tokens are refused with what was expected and where to get one', () => {
  const good = formatJoinToken({ psk: psk(), secret: generateJoinSecret() });
  for (const [bad, why] of [
    ['', /does not start with SWMTKN-1-/],
    ['SWMTKN-2-abc', /does not start with SWMTKN-1-/],
    [good.slice(0, -1), /wrong length or characters/],
    [good.replace(/[0-9a-f]{32}$/, 'Z'.repeat(32)), /wrong length or characters/],
  ] as const) {
    try {
      parseJoinToken(bad);
      assert.unreachable(`accepted ${bad}`);
    } catch (err) {
      assert.ok(isSwarmError(err, 'INVALID_ARGUMENT'), String(err));
      assert.match((err as Error).message, why);
      assert.match((err as Error).message, /swarmts join-token worker/);
    }
  }
});

test('a join proof proves its role only for the peer it was made for', () => {
  const secrets = { manager: generateJoinSecret(), worker: generateJoinSecret() };
  assert.is(roleProvenBy(secrets, peerA, joinProof(secrets.worker, peerA)), 'worker');
  assert.is(roleProvenBy(secrets, peerA, joinProof(secrets.manager, peerA)), 'manager');
  assert.is(roleProvenBy(secrets, peerB, joinProof(secrets.worker, peerA)), undefined, 'replayed by another peer');
  assert.is(roleProvenBy(secrets, peerA, joinProof(generateJoinSecret(), peerA)), undefined, 'rotated secret');
  assert.is(roleProvenBy(secrets, peerA, new Uint8Array(3)), undefined, 'short proof');
});

test('certificates verify for their peer and cluster only', () => {
  const authority = generateAuthority();
  const cert = issueCertificate(authority.privateKey, { clusterId: 'c1', peerId: peerA, role: 'manager', issuedAtMs: 1000 });
  const verifier = new CertificateVerifier(authority.publicKey, 'c1');
  assert.equal(verifier.verify(cert, peerA), { clusterId: 'c1', peerId: peerA, role: 'manager', issuedAtMs: 1000 });
  assert.equal(readClaims(cert).role, 'manager');
  const refusals: Array<[string, string, RegExp]> = [
    [cert, peerB, /issued to 12D3KooWA, presented by 12D3KooWB/],
    [issueCertificate(generateAuthority().privateKey, { clusterId: 'c1', peerId: peerA, role: 'worker', issuedAtMs: 1 }), peerA, /signature/],
    [issueCertificate(authority.privateKey, { clusterId: 'c2', peerId: peerA, role: 'worker', issuedAtMs: 1 }), peerA, /cluster c2, not c1/],
    ['', peerA, /not a certificate/],
    ['a.b.c', peerA, /not a certificate/],
    [`${cert.split('.')[0]}x.${cert.split('.')[1]}`, peerA, /signature/],
  ];
  for (const [candidate, peer, why] of refusals) {
    try {
      verifier.verify(candidate, peer);
      assert.unreachable(`accepted ${candidate}`);
    } catch (err) {
      assert.ok(isSwarmError(err, 'PERMISSION_DENIED'), String(err));
      assert.match((err as Error).message, why);
    }
  }
});

test('the gate hears members only, strips forged claims, and lets an ack through to finish a relayed probe', () => {
  const authority = generateAuthority();
  const cert = (id: string) => issueCertificate(authority.privateKey, { clusterId: 'c1', peerId: id, role: 'worker', issuedAtMs: 0 });
  const gate = new MemberGate(new CertificateVerifier(authority.publicKey, 'c1'), testMeta('self', { admission: cert('self') }));
  const forged = { kind: 'alive' as const, incarnation: 0, meta: testMeta('rogue', { admission: cert('someone-else') }) };
  const ping = gate.admit('stranger', { v: 1, type: 'ping', seq: 1, target: 'self', updates: [forged] });
  assert.is(ping.message, undefined);
  assert.equal(ping.refusals.length, 2);
  const ack = gate.admit('stranger', { v: 1, type: 'ack', seq: 1, updates: [forged] });
  assert.equal(ack.message, { v: 1, type: 'ack', seq: 1, updates: [] });
  assert.not.ok(gate.isMember('stranger'));
  const member = { kind: 'alive' as const, incarnation: 0, meta: testMeta('m', { admission: cert('m') }) };
  assert.equal(gate.admit('m', { v: 1, type: 'gossip', updates: [member, forged] }).message, { v: 1, type: 'gossip', updates: [member] });
  assert.ok(gate.isMember('m'));
});

test.run();
