import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Logger } from '../core/logger.js';
import { SeededRandom } from '../core/random.js';
import { testSeed } from '../core/seed.js';
import { defaultDnsServerConfig } from './dns-config.js';
import { DnsResponder } from './dns-responder.js';
import type { DnsView } from './dns-view.js';
import { requireNativeUdpFront } from './native-front-binary.js';
import { NativeUdpFront } from './native-udp-front.js';
import { UdpClient, decodeReply, query } from './test-dns-peers.js';
import { twoStacks } from './test-fixtures.js';

const test = suite('swarmts-dns, the native UDP front');

/** A front on 127.0.0.1 answering misses with a responder, as DnsServer wires them, counting what reaches Node. */
interface Harness {
  front: NativeUdpFront;
  responder: DnsResponder;
  port: number;
  misses: () => number;
  logged: string[];
  gone: () => boolean;
  close: () => Promise<void>;
}

async function startHarness(view: DnsView, restartsMax?: number): Promise<Harness> {
  const config = { ...defaultDnsServerConfig('127.0.0.1', []), port: 0 };
  const responder = new DnsResponder(config, view);
  let misses = 0;
  let gone = false;
  const logged: string[] = [];
  const front = new NativeUdpFront({
    binaryPath: requireNativeUdpFront(), address: '127.0.0.1', entriesMax: 1000, bytesMax: 1 << 20, receiveBufferBytes: 1 << 20,
    onQuery: (packet, address, send) => {
      misses++;
      responder.answerFrontDatagram(packet, address, send);
    },
    onGone: () => (gone = true),
    logger: new Logger({ level: 'debug', format: 'text', sink: (line) => logged.push(line) }, 'dns'),
    ...(restartsMax === undefined ? {} : { restartsMax }),
  });
  const port = await front.start(0);
  return {
    front, responder, port, logged, misses: () => misses, gone: () => gone,
    close: async () => {
      await front.close();
      responder.close();
    },
  };
}

async function withHarness(view: DnsView, body: (h: Harness, client: UdpClient) => Promise<void>, restartsMax?: number): Promise<void> {
  const h = await startHarness(view, restartsMax);
  const client = await UdpClient.open();
  try {
    await body(h, client);
  } finally {
    await client.close();
    await h.close();
  }
}

const addresses = (reply: Buffer): string[] => decodeReply(reply).answers.map((a) => String(a.data));

test('a repeated question is answered from the cache: same bytes, the new id, RD and letter case', async () => {
  await withHarness(twoStacks(), async (h, client) => {
    const first = await client.ask(query('web.shop', 'A', { id: 1 }), h.port);
    assert.is(h.misses(), 1);
    const asked = query('WeB.sHOP', 'A', { id: 0xbeef });
    asked[2] = asked[2]! & ~0x01; // no RD this time
    const second = await client.ask(asked, h.port);
    assert.is(h.misses(), 1, 'the second query never reached Node');
    assert.is(second.readUInt16BE(0), 0xbeef);
    assert.is(second[2]! & 0x01, 0, 'RD as asked');
    assert.is(second.toString('latin1', 12, 22), asked.toString('latin1', 12, 22), 'the question as asked');
    const expected = Buffer.from(first);
    expected.writeUInt16BE(0xbeef, 0);
    expected[2] = expected[2]! & ~0x01;
    asked.copy(expected, 12, 12, 22);
    assert.equal(second, expected);
    assert.equal((await h.front.counters())?.hits, 1);
  });
});

test('EDNS and its size are part of the key: a query with OPT is not answered with a reply without', async () => {
  await withHarness(twoStacks(), async (h, client) => {
    await client.ask(query('web.shop'), h.port);
    const withOpt = decodeReply(await client.ask(query('web.shop', 'A', { edns: 1232 }), h.port));
    assert.equal(withOpt.additionals.map((a) => a.type), ['OPT']);
    assert.is(h.misses(), 2);
    await client.ask(query('web.shop', 'A', { edns: 1232 }), h.port);
    assert.is(h.misses(), 2);
  });
});

test('after a flush the next answer comes from the new view, never the cached one', async () => {
  await withHarness(twoStacks(), async (h, client) => {
    for (let vip = 20; vip < 40; vip++) {
      await client.ask(query('web.shop'), h.port);
      await client.ask(query('web.shop'), h.port); // now cached
      const moved = twoStacks();
      moved.services[0]!.vip = `10.200.0.${vip}`;
      h.responder.setView(moved);
      h.front.flush(); // not awaited: a flush written before the query must apply to it
      assert.equal(addresses(await client.ask(query('web.shop'), h.port)), [`10.200.0.${vip}`]);
    }
    await h.front.flushed();
  });
});

test('each client address has its own answers: a task sees its own stack\'s short names', async () => {
  const view = twoStacks();
  view.services[0]!.tasks[0]!.ip = '127.0.0.2'; // a task of shop: "web" is shop_web
  view.services[2]!.tasks[0]!.ip = '127.0.0.3'; // a task of blog: "web" is blog_web
  const shop = await UdpClient.open('127.0.0.2');
  const blog = await UdpClient.open('127.0.0.3');
  try {
    await withHarness(view, async (h, host) => {
      for (let round = 0; round < 3; round++) {
        assert.equal(addresses(await shop.ask(query('web'), h.port)), ['10.200.0.2']);
        assert.equal(addresses(await blog.ask(query('web'), h.port)), ['10.200.0.9']);
        assert.is(decodeReply(await host.ask(query('web'), h.port)).rcode, 'SERVFAIL', 'the host has no stack: forwarded, to no upstream');
      }
      assert.is(h.misses(), 2 + 3, 'one miss per client for the zone answers; forwarded answers are never kept');
    });
  } finally {
    await shop.close();
    await blog.close();
  }
});

test('several task addresses rotate from one cached answer to the next', async () => {
  await withHarness(twoStacks(), async (h, client) => {
    const orders = [];
    for (let i = 0; i < 4; i++) orders.push(addresses(await client.ask(query('db.shop'), h.port)));
    assert.equal(orders, [['10.200.2.11', '10.200.2.12'], ['10.200.2.12', '10.200.2.11'], ['10.200.2.11', '10.200.2.12'], ['10.200.2.12', '10.200.2.11']]);
    assert.is(h.misses(), 1);
  });
});

test('random bytes and mangled queries do not stop it: it keeps answering', async () => {
  const seed = testSeed();
  const random = new SeededRandom(seed);
  try {
    await withHarness(twoStacks(), async (h, client) => {
      const pid = h.front.pid;
      const valid = [query('web.shop'), query('db.shop', 'SRV', { edns: 4096 }), query('12.1.200.10.in-addr.arpa', 'PTR')];
      for (const packet of valid) await client.ask(packet, h.port); // cached: mangled copies hit the C parser deeply
      for (let i = 0; i < 3000; i++) {
        let packet: Buffer;
        if (random.chance(0.5)) {
          packet = Buffer.alloc(random.int(600));
          for (let b = 0; b < packet.length; b++) packet[b] = random.int(256);
        } else {
          packet = Buffer.from(random.pick(valid));
          for (let flips = 1 + random.int(4); flips > 0; flips--) packet[random.int(packet.length)] = random.int(256);
          if (random.chance(0.3)) packet = packet.subarray(0, random.int(packet.length));
        }
        client.send(packet, h.port);
        if (i % 200 === 0) await client.ask(query('web.shop', 'A', { id: i }), h.port).catch(() => undefined);
      }
      // Replies to the garbage may be queued ahead: read until ours arrives.
      client.send(query('web.shop', 'A', { id: 65000 }), h.port);
      for (;;) {
        const reply = await client.next();
        if (reply.length >= 2 && reply.readUInt16BE(0) === 65000) {
          assert.equal(addresses(reply), ['10.200.0.2']);
          break;
        }
      }
      assert.is(h.front.pid, pid, 'the same swarmts-dns still runs');
      assert.is(h.front.exits, 0);
    });
  } catch (err) {
    console.error(`SWARMTS_SEED=${seed} replays this run`);
    throw err;
  }
});

test('a killed swarmts-dns is started again on the same port, and after restartsMax the server is told', async () => {
  await withHarness(twoStacks(), async (h, client) => {
    await client.ask(query('web.shop'), h.port);
    const first = h.front.pid!;
    process.kill(first, 'SIGKILL');
    await waitUntil(() => h.front.pid !== undefined && h.front.pid !== first);
    // It binds after it starts: ask until it answers.
    assert.equal(addresses(await askUntilAnswered(client, h.port)), ['10.200.0.2']);
    assert.ok(h.logged.some((line) => line.includes('starting it again (1 of 1)')), h.logged.join('\n'));
    process.kill(h.front.pid!, 'SIGKILL');
    await waitUntil(() => h.gone());
    assert.ok(h.logged.some((line) => line.includes('after 1 restarts; UDP falls back to Node')), h.logged.join('\n'));
  }, 1);
});

test('a taken port is reported by swarmts-dns\'s own words', async () => {
  await withHarness(twoStacks(), async (h) => {
    const second = new NativeUdpFront({
      binaryPath: requireNativeUdpFront(), address: '127.0.0.1', entriesMax: 10, bytesMax: 1 << 20, receiveBufferBytes: 1 << 20,
      onQuery: () => undefined, onGone: () => undefined, logger: new Logger(),
    });
    try {
      await second.start(h.port);
      assert.unreachable('should not bind');
    } catch (err) {
      assert.match(String(err), `bind UDP 127.0.0.1:${h.port}: Address already in use`);
    } finally {
      await second.close();
    }
  });
});

/** Asks every 50 ms until a reply comes: the restarted swarmts-dns binds a moment after it starts. */
async function askUntilAnswered(client: UdpClient, port: number): Promise<Buffer> {
  const reply = client.next();
  client.send(query('web.shop'), port);
  const timer = setInterval(() => client.send(query('web.shop'), port), 50);
  try {
    return await reply;
  } finally {
    clearInterval(timer);
  }
}

/** Polls a condition every 5 ms, failing after 5 s: waits on a real process without a fixed sleep. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test.run();
