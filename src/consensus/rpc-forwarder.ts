import { SwarmError } from '../core/errors.js';
import type { RpcCallOptions } from '../p2p/rpc-client.js';
import type { RpcContext, RpcHandler, RpcHandlerOptions } from '../p2p/rpc-server.js';
import type { ForwardedProposalSink, ForwardResult, ProposalForwarder } from './forwarder.js';

/** The stream RPC protocol proposals are forwarded on. */
export const proposeProtocol = '/swarmts/raft-propose/1';

/** The request body: a tagged entry (envelope.ts). */
export interface ForwardRequest {
  entry: Uint8Array;
}

/** What RpcProposalForwarder needs of RpcService. */
export interface RpcCaller {
  request<Res>(peerId: string, protocol: string, message: unknown, options?: RpcCallOptions<Res>): Promise<Res>;
}

/** What serveForwardedProposals needs of RpcService. */
export interface RpcServing {
  handle<Req, Res>(protocol: string, handler: RpcHandler<Req, Res>, options: RpcHandlerOptions<Req>): Promise<void>;
}

/** Checks a request body: MALFORMED_MESSAGE naming the field otherwise. */
export function decodeForwardRequest(body: unknown): ForwardRequest {
  const entry = (body as { entry?: unknown } | null)?.entry;
  if (!(entry instanceof Uint8Array)) throw new SwarmError('MALFORMED_MESSAGE', `${proposeProtocol} request: expected {entry: bytes}`);
  return { entry };
}

/** Checks a response body: MALFORMED_MESSAGE otherwise. */
export function decodeForwardResult(body: unknown): ForwardResult {
  const index = (body as { index?: unknown } | null)?.index;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 1) throw new SwarmError('MALFORMED_MESSAGE', `${proposeProtocol} response: expected {index: positive integer}`);
  return { index };
}

/** Forwards proposals to the leader over stream RPC (the daemon's ProposalForwarder). */
export class RpcProposalForwarder implements ProposalForwarder {
  constructor(
    private readonly rpc: RpcCaller,
    /** Milliseconds for the call; make it RaftServiceConfig.proposalTimeoutMs so the leader's own timeout answers first. */
    private readonly timeoutMs: number,
  ) {}

  forward(leaderId: string, entry: Uint8Array): Promise<ForwardResult> {
    const request: ForwardRequest = { entry };
    return this.rpc.request(leaderId, proposeProtocol, request, { timeoutMs: this.timeoutMs, decode: decodeForwardResult });
  }
}

/** Serves forwarded proposals on `rpc` for `sink` (the node's RaftService). Call after the host started. */
export function serveForwardedProposals(rpc: RpcServing, sink: ForwardedProposalSink, handlerTimeoutMs: number): Promise<void> {
  return rpc.handle<ForwardRequest, ForwardResult>(
    proposeProtocol,
    (request: ForwardRequest, context: RpcContext) => sink.acceptForwarded(context.peerId, request.entry),
    { decode: decodeForwardRequest, handlerTimeoutMs },
  );
}
