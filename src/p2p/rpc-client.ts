import type { Stream } from '@libp2p/interface';
import { SwarmError, errorMessage, isSwarmError } from '../core/errors.js';
import { encodeFrame } from '../core/framing.js';
import { deadline } from './abort.js';
import { readFrames } from './frame-reader.js';
import { parsePeerId, type P2pNode } from './host.js';
import type { RpcConfig } from './rpc-config.js';
import { parseResponse, requestFrame, type ResponseFrame } from './rpc-wire.js';

/** Per-call settings of `request` and `requestStream`. */
export interface RpcCallOptions<Res> {
  /** Milliseconds for the whole call, dial and every response included. Default RpcConfig.requestTimeoutMs. */
  timeoutMs?: number;
  /** Checks each response body and returns it typed; throw MALFORMED_MESSAGE. Default: no check. */
  decode?: (body: unknown) => Res;
}

/** What the client needs from the host. */
export interface RpcClientComponents {
  node: Pick<P2pNode, 'dialProtocol'>;
}

/**
 * Calls stream RPC protocols on other peers. Every failure is a SwarmError: TIMEOUT at the
 * deadline, UNAVAILABLE when the peer cannot be reached or the stream breaks, the remote's
 * own code (details.remote = true) when it answers with an error frame, and
 * MALFORMED_MESSAGE or UNSUPPORTED_VERSION when its answer cannot be understood.
 */
export class RpcClient {
  constructor(
    private readonly config: RpcConfig,
    private readonly components: RpcClientComponents,
  ) {}

  /** Sends `message` and returns the single response. */
  async request<Res = unknown>(peerId: string, protocol: string, message: unknown, options: RpcCallOptions<Res> = {}): Promise<Res> {
    const where = `rpc ${protocol} to ${peerId}`;
    for await (const frame of this.call(peerId, protocol, message, options.timeoutMs)) {
      if (frame.kind === 'ok') return decodeWith(options.decode, frame.body);
      throw unexpected(frame, where, peerId, protocol);
    }
    throw new SwarmError('UNAVAILABLE', `${where}: the stream ended without a response`);
  }

  /** Sends `message` and yields each response until the server's end frame. Breaking out early resets the stream. */
  async *requestStream<Res = unknown>(peerId: string, protocol: string, message: unknown, options: RpcCallOptions<Res> = {}): AsyncGenerator<Res> {
    const where = `rpc ${protocol} to ${peerId}`;
    for await (const frame of this.call(peerId, protocol, message, options.timeoutMs)) {
      if (frame.kind === 'item') yield decodeWith(options.decode, frame.body);
      else if (frame.kind === 'end') return;
      else throw unexpected(frame, where, peerId, protocol);
    }
    throw new SwarmError('UNAVAILABLE', `${where}: the stream ended before the end of the responses`);
  }

  /** Opens a stream, writes the request, and yields parsed response frames until the deadline. */
  private async *call(peerId: string, protocol: string, message: unknown, timeoutMs = this.config.requestTimeoutMs): AsyncGenerator<ResponseFrame> {
    const where = `rpc ${protocol} to ${peerId}`;
    const request = encodeFrame(requestFrame(message), this.config.frameBytesMax);
    const timer = deadline(timeoutMs);
    const timeout = (): SwarmError => new SwarmError('TIMEOUT', `${where}: no complete answer within ${timeoutMs} ms`, { details: { peerId, protocol, timeoutMs } });
    let stream: Stream | undefined;
    let finished = false;
    const onAbort = (): void => stream?.abort(timeout());
    timer.signal.addEventListener('abort', onAbort, { once: true });
    try {
      try {
        stream = await this.components.node.dialProtocol(parsePeerId(peerId), protocol, { signal: timer.signal });
      } catch (err) {
        if (timer.signal.aborted) throw timeout();
        if (isSwarmError(err)) throw err;
        throw new SwarmError('UNAVAILABLE', `${where}: cannot open a stream: ${errorMessage(err)}`, { cause: err, details: { peerId, protocol } });
      }
      await stream.sink([request]);
      for await (const value of readFrames(stream.source, this.config.frameBytesMax)) {
        const frame = parseResponse(value, where);
        finished = frame.kind !== 'item';
        yield frame;
      }
    } catch (err) {
      if (timer.signal.aborted) throw timeout();
      if (isSwarmError(err)) throw err;
      throw new SwarmError('UNAVAILABLE', `${where}: the stream failed: ${errorMessage(err)}`, { cause: err, details: { peerId, protocol } });
    } finally {
      timer.signal.removeEventListener('abort', onAbort);
      timer.dispose();
      if (stream !== undefined) await closeStream(stream, finished);
    }
  }
}

/** Closes a stream that ended cleanly; resets one abandoned part-way, so the server stops producing. */
async function closeStream(stream: Stream, finished: boolean): Promise<void> {
  if (!finished) {
    stream.abort(new SwarmError('UNAVAILABLE', 'the caller abandoned the call'));
    return;
  }
  try {
    await stream.close();
  } catch {
    stream.abort(new SwarmError('UNAVAILABLE', 'closing the stream failed'));
  }
}

function decodeWith<Res>(decode: ((body: unknown) => Res) | undefined, body: unknown): Res {
  return decode === undefined ? (body as Res) : decode(body);
}

/** The error for any frame the call did not expect: the remote's error, or a protocol violation. */
function unexpected(frame: ResponseFrame, where: string, peerId: string, protocol: string): SwarmError {
  if (frame.kind === 'error') {
    return new SwarmError(frame.code, `${where}: ${frame.message}`, { details: { remote: true, peerId, protocol } });
  }
  return new SwarmError('MALFORMED_MESSAGE', `${where}: unexpected "${frame.kind}" frame`);
}
