import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { defaultDnsServerConfig, type DnsServerConfig } from './dns-config.js';
import { DnsServer } from './dns-server.js';
import type { DnsView } from './dns-view.js';
import { isSwarmError } from '../core/errors.js';
import { FakeUpstream, UdpClient, askTcp, decodeReply, query } from './test-dns-peers.js';
import { service, task, twoStacks } from './test-fixtures.js';

/** Runs `body` against a started server on 127.0.0.1, port 0, and always closes both. */
async function withServer(
  view: DnsView,
  body: (server: DnsServer, client: UdpClient) => Promise<void>,
  config: Partial<DnsServerConfig> & Pick<DnsServerConfig, 'udpFrontend'>,
): Promise<void> {
  const server = new DnsServer({ ...defaultDnsServerConfig('127.0.0.1', []), port: 0, ...config }, view);
  await server.start();
  const client = await UdpClient.open();
  try {
    await body(server, client);
  } finally {
    await client.close();
    await server.close();
  }
}

const addresses = (reply: Buffer): string[] =>
  decodeReply(reply).answers.map((a) => (a.type === 'A' ? String(a.data) : `${a.type}?`));

/** A view with one service of `count` ready tasks, dnsrr, so its name answers every task. */
function bigService(count: number): DnsView {
  const tasks = Array.from({ length: count }, (_, i) => task('s_big', i + 1, 9, { ip: `10.200.9.${i + 1}` }));
  return { services: [service('s', 'big', { endpointMode: 'dnsrr', tasks })] };
}

/** The server's tests, with UDP read by Node or by swarmts-dns: both must behave alike. */
function serverTests(udpFrontend: 'node' | 'native'): void {
  const test = suite(`DnsServer, UDP read by ${udpFrontend}`);

  test('answers a VIP over UDP with the query id, RD, AA, RA and the question as asked', async () => {
    await withServer(twoStacks(), async (server, client) => {
      const reply = decodeReply(await client.ask(query('WeB.ShOp', 'A', { id: 31337 }), server.port));
      assert.is(reply.id, 31337);
      assert.is(reply.type, 'response');
      assert.is(reply.rcode, 'NOERROR');
      assert.ok(reply.flag_aa && reply.flag_rd && reply.flag_ra && !reply.flag_tc);
      assert.equal(reply.questions, [{ name: 'WeB.ShOp', type: 'A', class: 'IN' }]);
      assert.equal(reply.answers, [{ name: 'web.shop', type: 'A', ttl: 1, class: 'IN', flush: false, data: '10.200.0.2' }]);
    }, { udpFrontend });
  });

  test('answers over TCP', async () => {
    await withServer(twoStacks(), async (server) => {
      const reply = await askTcp(query('tasks.shop_web', 'A', { id: 7 }), server.port);
      assert.is(decodeReply(reply).id, 7);
      assert.equal(addresses(reply), ['10.200.1.11', '10.200.1.12']);
    }, { udpFrontend });
  });

  test('TCP: two queries in one write, then one sent a byte at a time, on one connection', async () => {
    await withServer(twoStacks(), async (server) => {
      const socket = net.connect({ host: '127.0.0.1', port: server.port });
      try {
        await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
        const replies: Buffer[] = [];
        let received = Buffer.alloc(0);
        const gotAll = new Promise<void>((resolve) => socket.on('data', (chunk) => {
          received = Buffer.concat([received, chunk]);
          while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
            replies.push(received.subarray(2, 2 + received.readUInt16BE(0)));
            received = received.subarray(2 + received.readUInt16BE(0));
          }
          if (replies.length === 3) resolve();
        }));
        const framed = (packet: Buffer): Buffer => Buffer.concat([Buffer.from([packet.length >> 8, packet.length & 255]), packet]);
        socket.write(Buffer.concat([framed(query('web.shop', 'A', { id: 1 })), framed(query('db.shop', 'A', { id: 2 }))]));
        const third = framed(query('blog_web', 'A', { id: 3 }));
        for (const byte of third) socket.write(Buffer.from([byte]));
        await gotAll;
        assert.equal(replies.map((r) => [decodeReply(r).id, addresses(r).length]), [[1, 1], [2, 2], [3, 1]]);
      } finally {
        socket.destroy();
      }
    }, { udpFrontend });
  });

  test('NXDOMAIN, NODATA, PTR and SRV come through the wire', async () => {
    await withServer(twoStacks(), async (server, client) => {
      const missing = decodeReply(await client.ask(query('_81._tcp.shop_web', 'SRV'), server.port));
      assert.is(missing.rcode, 'NXDOMAIN');
      assert.ok(missing.flag_aa);
      const nodata = decodeReply(await client.ask(query('web.shop', 'AAAA'), server.port));
      assert.is(nodata.rcode, 'NOERROR');
      assert.is(nodata.answers!.length, 0);
      const ptr = decodeReply(await client.ask(query('12.1.200.10.in-addr.arpa', 'PTR'), server.port));
      assert.equal(ptr.answers!.map((a) => a.data), ['shop_web.2']);
      const srv = decodeReply(await client.ask(query('_80._tcp.shop_web', 'SRV'), server.port));
      assert.equal(srv.answers!.map((a) => a.data), [
        { priority: 0, weight: 0, port: 80, target: 'shop_web.1' },
        { priority: 0, weight: 0, port: 80, target: 'shop_web.2' },
      ]);
      assert.equal(srv.additionals!.map((a) => [a.name, a.data]), [['shop_web.1', '10.200.1.11'], ['shop_web.2', '10.200.1.12']]);
    }, { udpFrontend });
  });

  test('an unknown name with no upstream gets SERVFAIL', async () => {
    await withServer(twoStacks(), async (server, client) => {
      const reply = decodeReply(await client.ask(query('example.com'), server.port));
      assert.is(reply.rcode, 'SERVFAIL');
      assert.is(reply.id, 4242);
    }, { udpFrontend });
  });

  test('scopes by the client address: a task sees its stack\'s short names and not other networks', async () => {
    const view = twoStacks();
    view.services[0]!.tasks[0]!.ip = '127.0.0.2'; // shop_web.1: the client below
    const taskClient = await UdpClient.open('127.0.0.2');
    try {
      await withServer(view, async (server, hostClient) => {
        assert.equal(addresses(await taskClient.ask(query('web'), server.port)), ['10.200.0.2']);
        assert.is(decodeReply(await taskClient.ask(query('blog_web'), server.port)).rcode, 'NXDOMAIN');
        assert.equal(addresses(await hostClient.ask(query('blog_web'), server.port)), ['10.200.0.9']);
      }, { udpFrontend });
    } finally {
      await taskClient.close();
    }
  });

  test('setView changes the answers for the next query', async () => {
    await withServer(twoStacks(), async (server, client) => {
      assert.equal(addresses(await client.ask(query('web.shop'), server.port)), ['10.200.0.2']);
      const moved = twoStacks();
      moved.services[0]!.vip = '10.200.0.77';
      server.setView(moved);
      assert.equal(addresses(await client.ask(query('web.shop'), server.port)), ['10.200.0.77']);
      server.setView({ services: [] });
      assert.is(decodeReply(await client.ask(query('web.shop'), server.port)).rcode, 'SERVFAIL', 'now forwarded, to no upstream');
    }, { udpFrontend });
  });

  test('several tasks are served in rotating order', async () => {
    await withServer(twoStacks(), async (server, client) => {
      const first = addresses(await client.ask(query('db.shop'), server.port));
      const second = addresses(await client.ask(query('DB.shop'), server.port));
      const third = addresses(await client.ask(query('db.shop'), server.port));
      assert.equal(first, ['10.200.2.11', '10.200.2.12']);
      assert.equal(second, ['10.200.2.12', '10.200.2.11']);
      assert.equal(third, first);
    }, { udpFrontend });
  });

  test('a UDP answer over 512 bytes is truncated, and TCP carries it whole', async () => {
    await withServer(bigService(30), async (server, client) => {
      const udp = decodeReply(await client.ask(query('big.s'), server.port));
      assert.ok(udp.flag_tc, 'TC set');
      assert.is(udp.answers!.length, 0);
      assert.equal(udp.questions, [{ name: 'big.s', type: 'A', class: 'IN' }]);
      assert.is(addresses(await askTcp(query('big.s'), server.port)).length, 30);
      assert.is((await server.counters()).truncated, 1);
    }, { udpFrontend });
  });

  test('EDNS: the client\'s UDP size lifts the limit, capped at 1232 bytes, and the reply carries OPT', async () => {
    await withServer(bigService(60), async (server, client) => {
      const fits = decodeReply(await client.ask(query('tasks.s_big', 'A', { edns: 4096 }), server.port));
      assert.ok(fits.flag_tc, '60 records exceed 1232 bytes even when the client accepts 4096');
      server.setView(bigService(30));
      const whole = decodeReply(await client.ask(query('tasks.s_big', 'A', { edns: 1232 }), server.port));
      assert.not.ok(whole.flag_tc);
      assert.is(whole.answers!.length, 30);
      assert.equal(whole.additionals!.map((a) => a.type), ['OPT']);
    }, { udpFrontend });
  });

  test('malformed packets and responses get no reply, and the server keeps answering', async () => {
    await withServer(twoStacks(), async (server, client) => {
      const response = query('web.shop');
      response[2] = response[2]! | 0x80;
      const cutName = query('web.shop').subarray(0, 16);
      const pointer = Buffer.from(query('web.shop'));
      pointer[12] = 0xc0;
      for (const bad of [Buffer.alloc(0), Buffer.from([1, 2, 3]), response, cutName, pointer, Buffer.alloc(600, 0xff)]) {
        client.send(bad, server.port);
      }
      // Datagrams on loopback arrive in order: had any bad one been answered, that reply came first.
      const reply = decodeReply(await client.ask(query('web.shop', 'A', { id: 999 }), server.port));
      assert.is(reply.id, 999);
      assert.is((await server.counters()).malformed, 6);
    }, { udpFrontend });
  });

  test('two questions get FORMERR, an opcode other than QUERY NOTIMP, a non-IN cluster name REFUSED', async () => {
    await withServer(twoStacks(), async (server, client) => {
      const two = dnsPacket.encode({ type: 'query', id: 5, questions: [{ name: 'web.shop', type: 'A' }, { name: 'db.shop', type: 'A' }] });
      assert.is(decodeReply(await client.ask(two, server.port)).rcode, 'FORMERR');
      const none = dnsPacket.encode({ type: 'query', id: 6, questions: [] });
      assert.is(decodeReply(await client.ask(none, server.port)).rcode, 'FORMERR');
      const status = Buffer.from(query('web.shop'));
      status[2] = (status[2]! & 0x87) | (2 << 3);
      const notimp = decodeReply(await client.ask(status, server.port));
      assert.is(notimp.rcode, 'NOTIMP');
      assert.is(notimp.opcode, 'STATUS');
      assert.is(decodeReply(await client.ask(query('web.shop', 'A', { klass: 'CH' }), server.port)).rcode, 'REFUSED');
      assert.is((await server.counters()).errors, 4);
    }, { udpFrontend });
  });

  test('forwards other names upstream over UDP and TCP, keeping the client\'s id', async () => {
    const upstream = await FakeUpstream.start('93.184.216.34');
    try {
      await withServer(twoStacks(), async (server, client) => {
        const udp = decodeReply(await client.ask(query('Example.COM', 'A', { id: 1234 }), server.port));
        assert.is(udp.id, 1234);
        assert.equal(udp.answers!.map((a) => [a.name, a.data, a.ttl]), [['Example.COM', '93.184.216.34', 300]]);
        const tcp = decodeReply(await askTcp(query('example.org', 'A', { id: 4321 }), server.port));
        assert.is(tcp.id, 4321);
        assert.equal(tcp.answers!.map((a) => a.data), ['93.184.216.34']);
        assert.equal(upstream.asked.map((a) => [a.transport, a.name]), [['udp', 'Example.COM'], ['tcp', 'example.org']]);
        assert.is((await server.counters()).forwarded, 2);
      }, { udpFrontend, upstreams: [{ address: '127.0.0.1', port: upstream.port }] });
    } finally {
      await upstream.close();
    }
  });

  test('a silent upstream times out into the next one, and none left gives SERVFAIL within the bound', async () => {
    const silent = await FakeUpstream.start('0.0.0.0');
    silent.silent = true;
    const answering = await FakeUpstream.start('192.0.2.7');
    const forwardTimeoutMs = 150;
    try {
      await withServer(twoStacks(), async (server, client) => {
        let started = performance.now();
        const next = decodeReply(await client.ask(query('example.net'), server.port));
        assert.equal(next.answers!.map((a) => a.data), ['192.0.2.7']);
        assert.ok(performance.now() - started >= forwardTimeoutMs, 'waited for the first upstream');
        answering.silent = true;
        started = performance.now();
        const failed = decodeReply(await client.ask(query('example.net', 'A', { id: 77 }), server.port));
        const elapsedMs = performance.now() - started;
        assert.is(failed.rcode, 'SERVFAIL');
        assert.is(failed.id, 77);
        assert.ok(elapsedMs >= 2 * forwardTimeoutMs && elapsedMs < 2 * forwardTimeoutMs + 2000, `SERVFAIL after ${elapsedMs} ms`);
      }, {
        udpFrontend,
        forwardTimeoutMs,
        upstreams: [{ address: '127.0.0.1', port: silent.port }, { address: '127.0.0.1', port: answering.port }],
      });
    } finally {
      await silent.close();
      await answering.close();
    }
  });

  test('close() ends pending forwards and frees the port', async () => {
    const silent = await FakeUpstream.start('0.0.0.0');
    silent.silent = true;
    const server = new DnsServer({ ...defaultDnsServerConfig('127.0.0.1', [{ address: '127.0.0.1', port: silent.port }]), port: 0, udpFrontend });
    await server.start();
    const client = await UdpClient.open();
    try {
      const port = server.port;
      client.send(query('example.com'), port);
      await waitUntil(() => silent.asked.length === 1);
      await server.close();
      const again = new DnsServer({ ...defaultDnsServerConfig('127.0.0.1', []), port, udpFrontend });
      await again.start();
      await again.close();
    } finally {
      await client.close();
      await silent.close();
    }
  });

  test('counters add up', async () => {
    await withServer(twoStacks(), async (server, client) => {
      await client.ask(query('web.shop'), server.port);
      await client.ask(query('web.shop'), server.port);
      await client.ask(query('example.com'), server.port);
      assert.equal(await server.counters(), { queries: 3, answeredLocally: 2, forwarded: 1, truncated: 0, malformed: 0, errors: 1 });
    }, { udpFrontend });
  });

  if (udpFrontend === 'node') test('UDP workers answer beside the server, follow setView, add to the counters and stop on close', async () => {
    const children = (): string[] => execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.endsWith(' ps'));
    const before = children();
    await withServer(twoStacks(), async (server, client) => {
      assert.is(children().length, before.length + 2, 'two workers run');
      for (let i = 0; i < 100; i++) assert.equal(addresses(await client.ask(query('web.shop', 'A', { id: i }), server.port)), ['10.200.0.2']);
      const moved = twoStacks();
      moved.services[0]!.vip = '10.200.0.77';
      server.setView(moved);
      await server.viewApplied();
      for (let i = 0; i < 50; i++) assert.equal(addresses(await client.ask(query('web.shop'), server.port)), ['10.200.0.77']);
      assert.is((await server.counters()).answeredLocally, 150);
    }, { udpFrontend, udpWorkers: 2 });
    assert.equal(children(), before, 'no worker outlives close()');
  });

  test('a bad configuration is refused with every problem named', () => {
    try {
      new DnsServer({ ...defaultDnsServerConfig('localhost', [{ address: 'dns.example', port: 53 }]), port: 70000 });
      assert.unreachable('should refuse');
    } catch (err) {
      assert.ok(isSwarmError(err, 'INVALID_CONFIG'), String(err));
      assert.match(err.message, 'address: expected an IPv4 or IPv6 address, got "localhost"');
      assert.match(err.message, 'port: expected an integer in 0..65535, got 70000');
      assert.match(err.message, 'upstreams[0].address: expected an IP address, got "dns.example"');
    }
  });

  test('a taken port is reported with the address and what to do', async () => {
    await withServer(twoStacks(), async (server) => {
      const second = new DnsServer({ ...defaultDnsServerConfig('127.0.0.1', []), port: server.port, udpFrontend });
      try {
        await second.start();
        assert.unreachable('should not bind');
      } catch (err) {
        assert.ok(isSwarmError(err, 'UNAVAILABLE'), String(err));
        assert.match(err.message, `DNS server cannot listen on 127.0.0.1:${server.port}`);
      }
    }, { udpFrontend });
  });

  test.run();
}

/** Polls a condition every 5 ms, failing after 5 s: waits on a real socket without a fixed sleep. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

serverTests('node');
serverTests('native');
