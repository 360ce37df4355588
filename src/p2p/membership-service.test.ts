import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CertificateVerifier, generateAuthority, issueCertificate } from '../admission/certificate.js';
import { MemberGate } from '../admission/member-gate.js';
import { RealClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { SeededRandom } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { defaultMembershipConfig } from '../membership/config.js';
import { Membership } from '../membership/membership.js';
import { membershipProtocolVersion, type GossipMessage, type MembershipMessage } from '../membership/messages.js';
import { testMeta } from '../membership/test-fixtures.js';
import type { NodeMeta } from '../membership/types.js';
import { validateMembershipMessage } from '../membership/validate-message.js';
import { MemoryNetwork } from './memory-transport.js';
import { MembershipService, type MembershipBroadcaster } from './membership-service.js';
import { defaultTransportConfig } from './transport.js';
import { waitFor } from './wait-for.js';

/** Gossipsub's in-memory stand-in: every publish reaches every other subscriber. */
class MemoryBroadcast {
  private readonly handlers = new Map<string, (message: GossipMessage, from: string) => void>();
  endpoint(id: string): MembershipBroadcaster {
    return {
      publish: async (message) => {
        for (const [peer, handler] of this.handlers) if (peer !== id) handler(structuredClone(message), id);
      },
      subscribe: (handler) => {
        this.handlers.set(id, handler);
        return () => this.handlers.delete(id);
      },
    };
  }
}

const fast = { ...defaultMembershipConfig(), probeIntervalMs: 100, probeTimeoutMs: 50, gossipIntervalMs: 50, suspicionMult: 2, joinRetryIntervalMs: 100 };
const authority = generateAuthority();
const cluster = 'c-test';
const seed = testSeed();

function admitted(id: string, role: 'manager' | 'worker' = 'worker'): NodeMeta {
  return testMeta(id, { role, admission: issueCertificate(authority.privateKey, { clusterId: cluster, peerId: id, role, issuedAtMs: 0 }) });
}

function serviceFor(meta: NodeMeta, network: MemoryNetwork, broadcast: MemoryBroadcast, index: number): MembershipService {
  const logger = silentLogger();
  const gate = new MemberGate(new CertificateVerifier(authority.publicKey, cluster), meta);
  const transport = network.transport<MembershipMessage>(
    meta.id,
    defaultTransportConfig({ protocol: '/swarmts/membership/1', version: membershipProtocolVersion, decode: validateMembershipMessage }),
    { logger },
  );
  return new MembershipService(new Membership(fast, meta, new SeededRandom(seed + index)), {
    transport,
    broadcaster: broadcast.endpoint(meta.id),
    gate: (from, message) => gate.admit(from, message).message,
    clock: new RealClock(),
    logger,
  });
}

const statusOf = (service: MembershipService, id: string) => service.member(id)?.status;

test(`admitted nodes find each other; a node without a valid certificate is never heard (SWARMTS_SEED=${seed})`, async () => {
  const network = new MemoryNetwork();
  const broadcast = new MemoryBroadcast();
  const [a, b, c] = [admitted('a', 'manager'), admitted('b'), admitted('c')].map((meta, i) => serviceFor(meta, network, broadcast, i));
  // Has the network (it is on it) but a certificate from another authority: forged.
  const forged = testMeta('rogue', { admission: issueCertificate(generateAuthority().privateKey, { clusterId: cluster, peerId: 'rogue', role: 'worker', issuedAtMs: 0 }) });
  const rogue = serviceFor(forged, network, broadcast, 9);
  // Claims to be admitted under b's certificate: bound to b's peer id, so useless.
  const thief = serviceFor(testMeta('thief', { admission: admitted('b').admission }), network, broadcast, 10);
  try {
    await a!.start([]);
    await Promise.all([b!.start(['a']), c!.start(['a']), rogue.start(['a', 'b']), thief.start(['a'])]);
    await waitFor('a, b and c see each other alive', () =>
      [a!, b!, c!].every((s) => ['a', 'b', 'c'].every((id) => statusOf(s, id) === 'alive')),
    );
    // The strangers keep pinging, gossiping and pushing state the whole time.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const s of [a!, b!, c!]) {
      assert.is(statusOf(s, 'rogue'), undefined, `${s.id} lists the forged node`);
      assert.is(statusOf(s, 'thief'), undefined, `${s.id} lists the thief`);
    }
    assert.is(statusOf(rogue, 'a'), undefined, 'a answered the rogue');
    await c!.stop();
    await waitFor('a and b mark the crashed c dead', () => statusOf(a!, 'c') === 'dead' && statusOf(b!, 'c') === 'dead');
    await b!.leave(200);
    await waitFor('a sees b left', () => statusOf(a!, 'b') === 'left');
  } finally {
    await Promise.all([a, b, c, rogue, thief].map((s) => s!.stop()));
  }
});

test.run();
