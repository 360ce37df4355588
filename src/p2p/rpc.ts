import type { Logger } from '../core/logger.js';
import type { P2pNode } from './host.js';
import { assertValidRpcConfig, type RpcConfig } from './rpc-config.js';
import { RpcClient, type RpcCallOptions } from './rpc-client.js';
import { RpcServer, type RpcHandler, type RpcHandlerOptions, type RpcStreamHandler } from './rpc-server.js';

/** What stream RPC needs: the host's libp2p node (`host.node`) and a logger. */
export interface RpcComponents {
  node: Pick<P2pNode, 'handle' | 'unhandle' | 'dialProtocol'>;
  logger: Logger;
}

/**
 * Request/response and request/stream RPC over libp2p streams, framed with framing.ts:
 * the serving side (RpcServer) and the calling side (RpcClient) of one host together.
 * Register handlers after the host starts; `stop()` before the host stops.
 */
export class RpcService {
  private readonly server: RpcServer;
  private readonly client: RpcClient;

  constructor(config: RpcConfig, components: RpcComponents) {
    assertValidRpcConfig(config);
    const logger = components.logger.child('rpc');
    this.server = new RpcServer(config, { node: components.node, logger });
    this.client = new RpcClient(config, { node: components.node });
  }

  handle<Req, Res>(protocol: string, handler: RpcHandler<Req, Res>, options: RpcHandlerOptions<Req>): Promise<void> {
    return this.server.handle(protocol, handler, options);
  }

  handleStream<Req, Res>(protocol: string, handler: RpcStreamHandler<Req, Res>, options: RpcHandlerOptions<Req>): Promise<void> {
    return this.server.handleStream(protocol, handler, options);
  }

  request<Res = unknown>(peerId: string, protocol: string, message: unknown, options?: RpcCallOptions<Res>): Promise<Res> {
    return this.client.request(peerId, protocol, message, options);
  }

  requestStream<Res = unknown>(peerId: string, protocol: string, message: unknown, options?: RpcCallOptions<Res>): AsyncGenerator<Res> {
    return this.client.requestStream(peerId, protocol, message, options);
  }

  /** Unregisters every handler and resets inbound streams in progress. */
  stop(): Promise<void> {
    return this.server.stop();
  }
}
