import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CertificateVerifier, generateAuthority, issueCertificate, type CertificateClaims } from '../../admission/certificate.js';
import { isSwarmError, type ErrorCode } from '../../core/errors.js';
import type { NodeRole } from '../../membership/types.js';
import { decodeRoleCertificate, judgeRoleCertificate } from './role-certificate.js';

const claims = (role: NodeRole, issuedAtMs: number): CertificateClaims => ({ clusterId: 'c', peerId: 'self', role, issuedAtMs });

const rows: Array<{ name: string; senderRole: NodeRole | undefined; handed: CertificateClaims; current: CertificateClaims; secrets: boolean; want: 'take' | 'ignore' | [ErrorCode, RegExp] }> = [
  { name: 'a manager promotes a worker', senderRole: 'manager', handed: claims('manager', 20), current: claims('worker', 10), secrets: true, want: 'take' },
  { name: 'a manager demotes a manager', senderRole: 'manager', handed: claims('worker', 20), current: claims('manager', 10), secrets: false, want: 'take' },
  { name: 'the role it runs, handed again by a new leader', senderRole: 'manager', handed: claims('worker', 30), current: claims('worker', 20), secrets: false, want: 'ignore' },
  { name: 'a worker may not hand out certificates', senderRole: 'worker', handed: claims('manager', 20), current: claims('worker', 10), secrets: true, want: ['PERMISSION_DENIED', /peer-x is not a manager of this cluster/] },
  { name: 'nor may a stranger', senderRole: undefined, handed: claims('manager', 20), current: claims('worker', 10), secrets: true, want: ['PERMISSION_DENIED', /only managers hand out certificates/] },
  { name: 'an older certificate of another role loses to the one held', senderRole: 'manager', handed: claims('manager', 5), current: claims('worker', 10), secrets: true, want: ['CONFLICT', /older than this node's worker certificate: a later role change wins/] },
  { name: 'a manager certificate without the authority key is no use', senderRole: 'manager', handed: claims('manager', 20), current: claims('worker', 10), secrets: false, want: ['MALFORMED_MESSAGE', /needs the manager secrets/] },
];

for (const row of rows) {
  test(`role certificate: ${row.name}`, () => {
    const judge = () => judgeRoleCertificate({ from: 'peer-x', senderRole: row.senderRole, claims: row.handed, current: row.current, withManagerSecrets: row.secrets });
    if (typeof row.want === 'string') return void assert.is(judge(), row.want);
    try {
      judge();
      assert.unreachable('expected a refusal');
    } catch (err) {
      assert.ok(isSwarmError(err, row.want[0]), String(err));
      assert.match((err as Error).message, row.want[1]);
    }
  });
}

test('role certificate: one issued to another node, or by another authority, does not verify for this one', () => {
  const authority = generateAuthority();
  const verifier = new CertificateVerifier(authority.publicKey, 'c');
  const forOther = issueCertificate(authority.privateKey, { clusterId: 'c', peerId: 'other', role: 'manager', issuedAtMs: 1 });
  assert.throws(() => verifier.verify(forOther, 'self'), /issued to other, presented by self/);
  const forged = issueCertificate(generateAuthority().privateKey, { clusterId: 'c', peerId: 'self', role: 'manager', issuedAtMs: 1 });
  assert.throws(() => verifier.verify(forged, 'self'), /not the cluster authority's/);
});

test('role certificate: the message decodes only with a certificate', () => {
  assert.equal(decodeRoleCertificate({ certificate: 'x.y' }), { certificate: 'x.y' });
  for (const bad of [null, {}, { certificate: '' }, { certificate: 7 }, { certificate: 'x.y', managerSecrets: { nope: 1 } }]) {
    assert.throws(() => decodeRoleCertificate(bad), /role-certificate\/1|join protocol/);
  }
});

test.run();
