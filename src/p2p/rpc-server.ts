import type { IncomingStreamData, Stream } from '@libp2p/interface';
import { SwarmError, errorMessage, isSwarmError } from '../core/errors.js';
import { encodeFrame } from '../core/framing.js';
import type { Logger } from '../core/logger.js';
import { deadline, raceAbort } from './abort.js';
import { readFrames } from './frame-reader.js';
import type { P2pNode } from './host.js';
import type { RpcConfig } from './rpc-config.js';
import { endFrame, errorFrame, itemFrame, okFrame, parseRequest } from './rpc-wire.js';

/** What a handler learns about the call besides the request. */
export interface RpcContext {
  /** The authenticated caller. */
  peerId: string;
  protocol: string;
  /** Aborts at the handler deadline or when the server stops: stop work then. */
  signal: AbortSignal;
}

/** Answers one request with one response. Throw a SwarmError to send its code to the caller. */
export type RpcHandler<Req, Res> = (request: Req, context: RpcContext) => Promise<Res>;

/** Answers one request with any number of responses, sent as they are produced (with backpressure). */
export type RpcStreamHandler<Req, Res> = (request: Req, context: RpcContext) => AsyncIterable<Res>;

/** Per-protocol settings of `handle` and `handleStream`. */
export interface RpcHandlerOptions<Req> {
  /** Checks the request body and returns it typed; throws MALFORMED_MESSAGE, which the caller receives. */
  decode: (body: unknown) => Req;
  /** Overrides RpcConfig.inboundStreamsMax for this protocol. */
  inboundStreamsMax?: number;
  /** Overrides RpcConfig.handlerTimeoutMs for this protocol. */
  handlerTimeoutMs?: number;
}

/** What the server needs from the host. */
export interface RpcServerComponents {
  node: Pick<P2pNode, 'handle' | 'unhandle'>;
  logger: Logger;
}

type Frame = Record<string, unknown>;

/** How often a running handler's stream is checked for a caller that reset it, milliseconds. */
const callerCheckIntervalMs = 200;

/** How long after the handler deadline the error frame may take to write before the stream is reset, milliseconds. */
const replyGraceMs = 2000;

interface Registration {
  protocol: string;
  respond: (request: unknown, context: RpcContext) => AsyncGenerator<Frame>;
  inboundStreamsMax: number;
  handlerTimeoutMs: number;
  active: number;
}

/**
 * Serves stream RPC protocols (wire format in rpc-wire.ts). One request per stream. Bad
 * input never escapes: malformed, oversize or wrong-version requests, decode failures,
 * handler errors and deadlines all become a typed error frame; a stream that cannot even
 * take that is reset.
 */
export class RpcServer {
  private readonly registrations = new Map<string, Registration>();
  private readonly openStreams = new Set<Stream>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly config: RpcConfig,
    private readonly components: RpcServerComponents,
  ) {}

  /** Registers a one-response protocol. */
  async handle<Req, Res>(protocol: string, handler: RpcHandler<Req, Res>, options: RpcHandlerOptions<Req>): Promise<void> {
    await this.register(protocol, options, async function* (request, context) {
      yield okFrame(await raceAbort(handler(options.decode(request), context), context.signal, () => timeoutError(context)));
    });
  }

  /** Registers a many-response protocol. */
  async handleStream<Req, Res>(protocol: string, handler: RpcStreamHandler<Req, Res>, options: RpcHandlerOptions<Req>): Promise<void> {
    await this.register(protocol, options, async function* (request, context) {
      const items = handler(options.decode(request), context)[Symbol.asyncIterator]();
      try {
        for (;;) {
          const next = await raceAbort(items.next(), context.signal, () => timeoutError(context));
          if (next.done === true) break;
          yield itemFrame(next.value);
        }
      } finally {
        await items.return?.();
      }
      yield endFrame();
    });
  }

  /** Unregisters every protocol and resets streams still in progress. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.components.node.unhandle([...this.registrations.keys()]);
    this.registrations.clear();
    for (const stream of this.openStreams) stream.abort(new SwarmError('UNAVAILABLE', 'rpc server stopped'));
    this.openStreams.clear();
  }

  private async register(protocol: string, options: RpcHandlerOptions<unknown>, respond: Registration['respond']): Promise<void> {
    if (this.registrations.has(protocol)) throw new SwarmError('ALREADY_EXISTS', `rpc protocol ${protocol} already has a handler`);
    const registration: Registration = {
      protocol,
      respond,
      inboundStreamsMax: options.inboundStreamsMax ?? this.config.inboundStreamsMax,
      handlerTimeoutMs: options.handlerTimeoutMs ?? this.config.handlerTimeoutMs,
      active: 0,
    };
    this.registrations.set(protocol, registration);
    await this.components.node.handle(protocol, (data) => void this.serve(registration, data), {
      maxInboundStreams: this.config.inboundStreamsPerConnectionMax,
    });
  }

  private async serve(registration: Registration, { stream, connection }: IncomingStreamData): Promise<void> {
    const peerId = connection.remotePeer.toString();
    if (registration.active >= registration.inboundStreamsMax) {
      const message = `${registration.protocol}: ${registration.active} requests in progress, the limit is ${registration.inboundStreamsMax}; retry later`;
      await this.reply(stream, oneFrame(errorFrame('UNAVAILABLE', message)), peerId);
      return;
    }
    registration.active++;
    this.openStreams.add(stream);
    const timer = deadline(registration.handlerTimeoutMs);
    const callerGone = new AbortController();
    const signal = AbortSignal.any([timer.signal, this.stopping.signal, callerGone.signal]);
    const context: RpcContext = { peerId, protocol: registration.protocol, signal };
    // libp2p emits no event when the caller resets a stream it has finished writing to, so
    // the status is polled while the handler runs.
    const watcher = setInterval(() => {
      if (stream.status === 'reset' || stream.status === 'aborted') callerGone.abort();
    }, callerCheckIntervalMs);
    // The deadline makes the handler give up and an error frame go out; if even that cannot
    // be written (the caller stopped reading), the stream is reset a little later.
    const hardStop = setTimeout(() => {
      stream.abort(timeoutError(context));
    }, registration.handlerTimeoutMs + replyGraceMs);
    try {
      let frames: AsyncGenerator<Frame>;
      try {
        frames = registration.respond(await this.readRequest(stream, context, callerGone), context);
      } catch (err) {
        frames = oneFrame(this.toErrorFrame(err, context));
      }
      await this.reply(stream, this.guard(frames, context), peerId);
    } finally {
      clearTimeout(hardStop);
      clearInterval(watcher);
      timer.dispose();
      registration.active--;
      this.openStreams.delete(stream);
    }
  }

  /**
   * Reads the one request frame, then keeps reading in the background: the caller has closed
   * its side, so the source only ends, unless the caller resets the stream (it gave up or
   * timed out), which aborts `callerGone` and with it the handler's signal.
   */
  private async readRequest(stream: Stream, context: RpcContext, callerGone: AbortController): Promise<unknown> {
    const where = `rpc ${context.protocol} from ${context.peerId}`;
    const frames = readFrames(stream.source, this.config.frameBytesMax);
    const first = await raceAbort(frames.next(), context.signal, () => timeoutError(context));
    if (first.done === true) throw new SwarmError('MALFORMED_MESSAGE', `${where}: the stream ended before a complete request`);
    void drain(frames).catch(() => callerGone.abort());
    return parseRequest(first.value, where);
  }

  /** Turns a handler failure part-way through into a final error frame. */
  private async *guard(frames: AsyncGenerator<Frame>, context: RpcContext): AsyncGenerator<Frame> {
    try {
      yield* frames;
    } catch (err) {
      yield this.toErrorFrame(err, context);
    }
  }

  /** Encodes and writes `frames`, then closes; a frame over the limit is replaced by FRAME_TOO_LARGE and ends the reply. */
  private async reply(stream: Stream, frames: AsyncGenerator<Frame>, peerId: string): Promise<void> {
    const frameBytesMax = this.config.frameBytesMax;
    async function* encoded(): AsyncGenerator<Uint8Array> {
      for await (const frame of frames) {
        try {
          yield encodeFrame(frame, frameBytesMax);
        } catch (err) {
          yield encodeFrame(errorFrame('FRAME_TOO_LARGE', `response: ${errorMessage(err)}`));
          return;
        }
      }
    }
    try {
      await stream.sink(encoded());
      await stream.close();
    } catch (err) {
      this.components.logger.debug('rpc reply failed', { peerId, protocol: stream.protocol, error: errorMessage(err) });
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private toErrorFrame(err: unknown, context: RpcContext): Frame {
    if (isSwarmError(err)) return errorFrame(err.code, err.message);
    this.components.logger.warn('rpc handler failed', { protocol: context.protocol, peerId: context.peerId, error: errorMessage(err) });
    return errorFrame('INTERNAL', `${context.protocol}: the handler failed: ${errorMessage(err)}`);
  }
}

function timeoutError(context: RpcContext): SwarmError {
  return new SwarmError('TIMEOUT', `rpc ${context.protocol} from ${context.peerId}: the deadline passed, the caller left or the server stopped`);
}

/** Reads and discards the rest of a request stream; rejects when the stream is reset. */
async function drain(frames: AsyncGenerator<unknown, unknown>): Promise<void> {
  for (;;) {
    const next = await frames.next();
    if (next.done === true) return;
  }
}

async function* oneFrame(frame: Frame): AsyncGenerator<Frame> {
  yield frame;
}
