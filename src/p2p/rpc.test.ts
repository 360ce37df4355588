import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SwarmError, type ErrorCode } from '../core/errors.js';
import { encodeFrame } from '../core/framing.js';
import { silentLogger } from '../core/logger.js';
import { readFrames } from './frame-reader.js';
import type { P2pHost } from './host.js';
import { parsePeerId } from './host.js';
import { defaultRpcConfig } from './rpc-config.js';
import { parseResponse, type ResponseFrame } from './rpc-wire.js';
import { RpcService } from './rpc.js';
import type { RpcContext } from './rpc-server.js';
import { startTestCluster, type TestCluster } from './test-hosts.js';
import { waitFor } from './wait-for.js';

const echo = '/swarmts/test/echo/1';
const count = '/swarmts/test/count/1';
const stall = '/swarmts/test/stall/1';
const fail = '/swarmts/test/fail/1';
const single = '/swarmts/test/single/1';
const huge = '/swarmts/test/huge/1';

type Echo = { v: 1; text: string };

function decodeEcho(body: unknown): Echo {
  const value = body as Partial<Echo> | null;
  if (typeof value !== 'object' || value === null || value.v !== 1 || typeof value.text !== 'string') {
    throw new SwarmError('MALFORMED_MESSAGE', 'echo: expected { v: 1, text: string }');
  }
  return { v: 1, text: value.text };
}

/** Every host serves the test protocols; `stalled` counts handlers waiting for their deadline. */
async function serveAll(cluster: TestCluster): Promise<{ rpcs: RpcService[]; stalled: { count: number; aborted: number } }> {
  const stalled = { count: 0, aborted: 0 };
  const rpcs = [];
  for (const host of cluster.hosts) {
    const rpc = new RpcService({ ...defaultRpcConfig(), frameBytesMax: 64 * 1024 }, { node: host.node, logger: silentLogger() });
    await rpc.handle(echo, async (req: Echo, ctx) => ({ v: 1, text: `${req.text} from ${ctx.peerId.slice(-4)}` }), { decode: decodeEcho });
    await rpc.handleStream(count, async function* (req: { v: 1; n: number }) {
      for (let i = 0; i < req.n; i++) yield { v: 1, i };
    }, { decode: (body) => body as { v: 1; n: number } });
    const stallUntilAborted = (_req: unknown, ctx: RpcContext): Promise<unknown> => {
      stalled.count++;
      return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => {
        stalled.aborted++;
        reject(new SwarmError('TIMEOUT', 'stalled'));
      }));
    };
    await rpc.handle(stall, stallUntilAborted, { decode: (body) => body });
    await rpc.handle(single, stallUntilAborted, { decode: (body) => body, inboundStreamsMax: 1, handlerTimeoutMs: 3000 });
    await rpc.handle(fail, async () => {
      throw new SwarmError('NOT_LEADER', 'ask the leader instead');
    }, { decode: (body) => body });
    await rpc.handle(huge, async () => ({ v: 1, blob: new Uint8Array(100 * 1024) }), { decode: (body) => body });
    rpcs.push(rpc);
  }
  return { rpcs, stalled };
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<SwarmError> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, SwarmError, String(err));
    assert.is((err as SwarmError).code, code, (err as SwarmError).message);
    return err as SwarmError;
  }
  assert.unreachable(`expected a ${code} error`);
  throw new Error('unreachable');
}

/** Writes raw bytes as a request and returns the first response frame. */
async function rawExchange(from: P2pHost, to: P2pHost, protocol: string, bytes: Uint8Array): Promise<ResponseFrame> {
  const stream = await from.node.dialProtocol(parsePeerId(to.peerId), protocol);
  try {
    await stream.sink([bytes]);
    for await (const value of readFrames(stream.source, 64 * 1024)) return parseResponse(value, 'raw');
    throw new Error('no response frame');
  } finally {
    stream.abort(new Error('done'));
  }
}

test('request/response and streaming between three hosts', async () => {
  const cluster = await startTestCluster(3, { connect: true });
  try {
    const { rpcs } = await serveAll(cluster);
    const [a, b, c] = cluster.hosts as [P2pHost, P2pHost, P2pHost];
    const caller = rpcs[0]!;
    const fromB = await caller.request(b.peerId, echo, { v: 1, text: 'hi' }, { decode: decodeEcho });
    assert.equal(fromB, { v: 1, text: `hi from ${a.peerId.slice(-4)}` });
    const fromC = await rpcs[1]!.request(c.peerId, echo, { v: 1, text: 'yo' }, { decode: decodeEcho });
    assert.is(fromC.text, `yo from ${b.peerId.slice(-4)}`);
    const items: unknown[] = [];
    for await (const item of caller.requestStream(c.peerId, count, { v: 1, n: 5 })) items.push(item);
    assert.equal(items, [0, 1, 2, 3, 4].map((i) => ({ v: 1, i })));
    const none: unknown[] = [];
    for await (const item of caller.requestStream(b.peerId, count, { v: 1, n: 0 })) none.push(item);
    assert.equal(none, []);
  } finally {
    await cluster.stop();
  }
});

test('timeouts, remote errors, limits and unknown protocols give typed errors', async () => {
  const cluster = await startTestCluster(2, { connect: true });
  try {
    const { rpcs, stalled } = await serveAll(cluster);
    const [, b] = cluster.hosts as [P2pHost, P2pHost];
    const caller = rpcs[0]!;
    await expectCode(caller.request(b.peerId, stall, { v: 1 }, { timeoutMs: 300 }), 'TIMEOUT');
    await waitFor('the server to abort the handler of the caller that left', () => stalled.aborted === 1);
    const remote = await expectCode(caller.request(b.peerId, fail, { v: 1 }), 'NOT_LEADER');
    assert.is(remote.details?.remote, true);
    await expectCode(caller.request(b.peerId, '/swarmts/test/nobody-home/1', { v: 1 }), 'UNAVAILABLE');
    await expectCode(caller.request(b.peerId, echo, { v: 1, text: 'x'.repeat(70 * 1024) }), 'FRAME_TOO_LARGE');
    await expectCode(caller.request(b.peerId, huge, { v: 1 }), 'FRAME_TOO_LARGE');
    await expectCode(caller.request(b.peerId, echo, { v: 1, text: 7 }), 'MALFORMED_MESSAGE');
    // `single` serves one request at a time: the second, sent while the first waits, is refused.
    const stalledBefore = stalled.count;
    const first = caller.request(b.peerId, single, { v: 1 }, { timeoutMs: 8000 }).catch((err: unknown) => err);
    await waitFor('the first request to reach its handler', () => stalled.count > stalledBefore);
    await expectCode(caller.request(b.peerId, single, { v: 1 }), 'UNAVAILABLE');
    const firstError = await first;
    assert.instance(firstError, SwarmError);
    assert.is((firstError as SwarmError).code, 'TIMEOUT', 'the handler deadline ends the first request');
    assert.equal(await caller.request(b.peerId, echo, { v: 1, text: 'still here' }, { decode: decodeEcho }), { v: 1, text: `still here from ${cluster.hosts[0]!.peerId.slice(-4)}` });
  } finally {
    await cluster.stop();
  }
});

test('malformed, oversize and wrong-version frames get typed error frames and the host keeps serving', async () => {
  const cluster = await startTestCluster(2, { connect: true });
  try {
    const { rpcs } = await serveAll(cluster);
    const [a, b] = cluster.hosts as [P2pHost, P2pHost];
    const garbage = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from([0xc1, 0xc1, 0xc1])]);
    const cases: Array<[string, Uint8Array, ErrorCode]> = [
      ['undecodable body', garbage, 'MALFORMED_MESSAGE'],
      ['length over the limit', Buffer.from([0xff, 0xff, 0xff, 0xff]), 'FRAME_TOO_LARGE'],
      ['wrong envelope version', encodeFrame({ v: 2, body: { v: 1, text: 'x' } }), 'UNSUPPORTED_VERSION'],
      ['no envelope', encodeFrame([1, 2, 3]), 'MALFORMED_MESSAGE'],
      ['envelope without a body', encodeFrame({ v: 1 }), 'MALFORMED_MESSAGE'],
      ['truncated frame', Buffer.from([0, 0, 0, 9, 1]), 'MALFORMED_MESSAGE'],
      ['bad request body', encodeFrame({ v: 1, body: { v: 9 } }), 'MALFORMED_MESSAGE'],
    ];
    for (const [name, bytes, code] of cases) {
      const frame = await rawExchange(a, b, echo, bytes);
      assert.is(frame.kind, 'error', name);
      assert.is(frame.kind === 'error' ? frame.code : undefined, code, name);
    }
    const reply = await rpcs[0]!.request(b.peerId, echo, { v: 1, text: 'after all that' }, { decode: decodeEcho });
    assert.ok(reply.text.startsWith('after all that'));
  } finally {
    await cluster.stop();
  }
});

test.run();
