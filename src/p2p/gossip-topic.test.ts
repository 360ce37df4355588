import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SwarmError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { encodeFrame } from '../core/framing.js';
import { defaultGossipTopicConfig, GossipTopic, type GossipTopicConfig } from './gossip-topic.js';
import type { P2pHost } from './host.js';
import type { Versioned } from './message-codec.js';
import { startTestCluster } from './test-hosts.js';
import { waitFor } from './wait-for.js';

type Note = Versioned & { text: string };

const topic = '/swarmts/test-notes/1';

function decodeNote(value: Versioned & Record<string, unknown>): Note {
  if (typeof value.text !== 'string') throw new SwarmError('MALFORMED_MESSAGE', `note.text: expected a string, got ${typeof value.text}`);
  return { v: value.v, text: value.text };
}

function noteTopic(host: P2pHost, overrides: Partial<GossipTopicConfig<Note>> = {}): { topic: GossipTopic<Note>; seen: Array<{ text: string; from: string }> } {
  const config = { ...defaultGossipTopicConfig<Note>({ topic, version: 1, decode: decodeNote }), ...overrides };
  const gossip = new GossipTopic<Note>(config, { pubsub: host.node.services.pubsub, logger: silentLogger() });
  const seen: Array<{ text: string; from: string }> = [];
  gossip.subscribe((note, from) => seen.push({ text: note.text, from }));
  gossip.start();
  return { topic: gossip, seen };
}

/** Publishes raw bytes (bypassing GossipTopic's encoder) until `until` holds, bounded. */
async function publishRawUntil(host: P2pHost, data: Uint8Array, until: () => boolean): Promise<void> {
  await waitFor('a raw message to be judged', async () => {
    if (until()) return true;
    await host.node.services.pubsub.publish(topic, data);
    return until();
  }, { intervalMs: 200 });
}

test('three hosts exchange gossip, re-published until every peer has seen it', async () => {
  const cluster = await startTestCluster(3, { connect: true });
  try {
    const [a, b, c] = cluster.hosts.map((host) => noteTopic(host)) as [ReturnType<typeof noteTopic>, ReturnType<typeof noteTopic>, ReturnType<typeof noteTopic>];
    const seenHello = (x: typeof a) => x.seen.some((s) => s.text === 'hello' && s.from === cluster.hosts[0]!.peerId);
    const delivered = await a.topic.republish({ v: 1, text: 'hello' }, { until: () => seenHello(b) && seenHello(c), intervalMs: 200, attemptsMax: 50 });
    assert.ok(delivered, 'b and c should see the message');
    assert.ok(a.topic.stats().published >= 1);
    assert.is(a.seen.length, 0, 'a publisher does not receive its own message');
  } finally {
    await cluster.stop();
  }
});

test('malformed and wrong-version gossip is rejected and counted while good gossip still flows', async () => {
  const cluster = await startTestCluster(2, { connect: true });
  try {
    const [sender, receiver] = cluster.hosts as [P2pHost, P2pHost];
    noteTopic(sender);
    const r = noteTopic(receiver);
    await publishRawUntil(sender, new Uint8Array([0xc1, 0xff, 0x00]), () => r.topic.stats().rejectedMalformed > 0);
    await publishRawUntil(sender, encodeFrame({ v: 2, text: 'from the future' }).subarray(4), () => r.topic.stats().rejectedVersion > 0);
    await publishRawUntil(sender, encodeFrame({ v: 1, text: 42 }).subarray(4), () => r.topic.stats().rejectedMalformed > 1);
    await publishRawUntil(sender, encodeFrame({ v: 1, text: 'fine' }).subarray(4), () => r.seen.some((s) => s.text === 'fine'));
    assert.equal(r.seen.map((s) => s.text).filter((t) => t !== 'fine'), [], 'only the good message is delivered');
  } finally {
    await cluster.stop();
  }
});

test('allowedSenders drops gossip from a non-member', async () => {
  const cluster = await startTestCluster(3, { connect: true });
  try {
    const [memberHost, receiverHost, strangerHost] = cluster.hosts as [P2pHost, P2pHost, P2pHost];
    const member = noteTopic(memberHost);
    const stranger = noteTopic(strangerHost);
    const receiver = noteTopic(receiverHost, { allowedSenders: (peerId) => peerId !== strangerHost.peerId });
    const fromStranger = await stranger.topic.republish({ v: 1, text: 'let me in' }, {
      until: () => receiver.topic.stats().rejectedSender > 0, intervalMs: 200, attemptsMax: 50,
    });
    assert.ok(fromStranger, 'the receiver should judge the stranger\'s message');
    const fromMember = await member.topic.republish({ v: 1, text: 'member news' }, {
      until: () => receiver.seen.some((s) => s.text === 'member news'), intervalMs: 200, attemptsMax: 50,
    });
    assert.ok(fromMember);
    assert.not.ok(receiver.seen.some((s) => s.from === strangerHost.peerId), 'nothing from the stranger is delivered');
  } finally {
    await cluster.stop();
  }
});

test('publish refuses a message over messageBytesMax', async () => {
  const cluster = await startTestCluster(1);
  try {
    const { topic: gossip } = noteTopic(cluster.hosts[0]!, { messageBytesMax: 64 });
    try {
      await gossip.publish({ v: 1, text: 'x'.repeat(100) });
      assert.unreachable('should refuse');
    } catch (err) {
      assert.instance(err, SwarmError);
      assert.is((err as SwarmError).code, 'FRAME_TOO_LARGE');
    }
  } finally {
    await cluster.stop();
  }
});

test('a stopped topic refuses publish and ends republish without trying', async () => {
  const cluster = await startTestCluster(1);
  try {
    const { topic: gossip } = noteTopic(cluster.hosts[0]!);
    gossip.stop();
    try {
      await gossip.publish({ v: 1, text: 'late' });
      assert.unreachable('should refuse');
    } catch (err) {
      assert.instance(err, SwarmError);
      assert.is((err as SwarmError).code, 'UNAVAILABLE');
    }
    assert.is(await gossip.republish({ v: 1, text: 'late' }, { until: () => false }), false);
    assert.is(gossip.stats().published, 0);
  } finally {
    await cluster.stop();
  }
});

test.run();
