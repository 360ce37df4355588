import { SwarmError } from '../core/errors.js';
import { defaultFrameBytesMax } from '../core/framing.js';

/** Limits and deadlines of stream RPC, on both the serving and the calling side. */
export interface RpcConfig {
  /** Largest frame body, bytes, in either direction. Default 4 MiB (framing.ts): a raft snapshot chunk fits. */
  frameBytesMax: number;
  /** Client: milliseconds a request may take, dial included, when the call does not say. Default 10000. */
  requestTimeoutMs: number;
  /** Server: milliseconds from an inbound stream opening to its last response frame. Default 30000: long enough for a snapshot stream. */
  handlerTimeoutMs: number;
  /** Server: concurrent inbound streams per protocol, all peers together; the next gets UNAVAILABLE. Default 64. */
  inboundStreamsMax: number;
  /** Server: concurrent inbound streams per protocol on one connection (libp2p resets the next). Default 16. */
  inboundStreamsPerConnectionMax: number;
}

export function defaultRpcConfig(): RpcConfig {
  return {
    frameBytesMax: defaultFrameBytesMax,
    requestTimeoutMs: 10_000,
    handlerTimeoutMs: 30_000,
    inboundStreamsMax: 64,
    inboundStreamsPerConnectionMax: 16,
  };
}

/** Every problem in `config`, each naming the field; empty when usable. */
export function validateRpcConfig(config: RpcConfig): string[] {
  const problems: string[] = [];
  for (const [field, value] of Object.entries(config)) {
    if (!Number.isInteger(value) || value <= 0) problems.push(`${field}: expected a positive integer, got ${value}`);
  }
  return problems;
}

/** Throws INVALID_CONFIG listing every problem at once. */
export function assertValidRpcConfig(config: RpcConfig): void {
  const problems = validateRpcConfig(config);
  if (problems.length > 0) throw new SwarmError('INVALID_CONFIG', `invalid rpc config:\n  ${problems.join('\n  ')}`, { details: { problems } });
}
