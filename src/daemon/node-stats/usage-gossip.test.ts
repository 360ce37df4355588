import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RealTimers } from '../../agent/timers.js';
import { RealClock } from '../../core/clock.js';
import { encodeFrame } from '../../core/framing.js';
import { silentLogger } from '../../core/logger.js';
import { GossipTopic } from '../../p2p/gossip-topic.js';
import type { P2pHost } from '../../p2p/host.js';
import { startTestCluster } from '../../p2p/test-hosts.js';
import { waitFor } from '../../p2p/wait-for.js';
import type { HostUsage } from './host-usage.js';
import { nodeUsageTopic } from './usage-board.js';
import { NodeUsageSpreader, defaultNodeUsageSpreaderConfig, nodeUsageTopicConfig } from './usage-spreader.js';

// Real libp2p hosts on loopback and real gossipsub, with short periods: the wiring OrchestrationNode uses.
const config = { ...defaultNodeUsageSpreaderConfig(), sampleIntervalMs: 100, publishIntervalMs: 200, staleAfterMs: 1500 };

function spreader(host: P2pHost, cpuMillicores: number, isMember: (peer: string) => boolean = () => true): NodeUsageSpreader {
  let at = 1_764_400_000_000;
  const sampler = { sample: async (): Promise<HostUsage> => ({ cpuMillicores, memoryBytes: cpuMillicores * 1024, sampledAt: (at += 100) }) };
  const topic = new GossipTopic(nodeUsageTopicConfig(isMember), { pubsub: host.node.services.pubsub, logger: silentLogger() });
  return new NodeUsageSpreader({ selfId: host.peerId, sampler, topic, timers: new RealTimers(), clock: new RealClock(), logger: silentLogger() }, config);
}

test('members see each other\'s usage over gossipsub; malformed figures are counted and dropped; a silent node goes unknown', async () => {
  const cluster = await startTestCluster(3, { connect: true });
  const [a, b, c] = cluster.hosts as [P2pHost, P2pHost, P2pHost];
  // b takes a and c for members, not the stranger: c is shut out by b's allowedSenders.
  const spreaders = [spreader(a, 420), spreader(b, 1500, (peer) => peer !== c.peerId), spreader(c, 999)];
  const [sa, sb] = spreaders as [NodeUsageSpreader, NodeUsageSpreader];
  try {
    for (const s of spreaders) s.start();
    await waitFor('a and b know each other\'s usage, a knows c\'s, b has ignored c', () =>
      sb.usageOf(a.peerId)?.cpuMillicores === 420 && sa.usageOf(b.peerId)?.cpuMillicores === 1500 && sa.usageOf(c.peerId)?.cpuMillicores === 999 && sb.stats().topic.rejectedSender > 0,
    { timeoutMs: 10_000 });
    assert.is(sb.usageOf(b.peerId)?.cpuMillicores, 1500, 'its own figure too');
    assert.is(sb.usageOf(c.peerId), undefined, 'not from a non-member');

    const bad = encodeFrame({ v: 1, cpuMillicores: -5, memoryBytes: 1, sampledAt: 1 }).subarray(4);
    await waitFor('the malformed figure to be judged', async () => {
      await a.node.services.pubsub.publish(nodeUsageTopic, bad).catch(() => undefined);
      return sb.stats().topic.rejectedMalformed > 0;
    }, { intervalMs: 200, timeoutMs: 10_000 });
    assert.is(sb.usageOf(a.peerId)?.cpuMillicores, 420, 'the good figure stays');

    sa.stop();
    await waitFor('a\'s figure goes stale on b', () => sb.usageOf(a.peerId) === undefined, { timeoutMs: 10_000 });
  } finally {
    for (const s of spreaders) s.stop();
    await cluster.stop();
  }
});

test.run();
