import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { silentLogger } from '../core/logger.js';
import { generateIdentity } from './identity.js';
import { Libp2pTransport } from './libp2p-transport.js';
import { MemoryNetwork } from './memory-transport.js';
import { startTestCluster } from './test-hosts.js';
import { transportContract, type ContractMessage, type TransportFixture } from './transport-contract.js';
import type { Transport, TransportConfig } from './transport.js';

transportContract('MemoryTransport', async (count, config): Promise<TransportFixture> => {
  const network = new MemoryNetwork();
  const transports: Array<Transport<ContractMessage>> = [];
  for (let i = 0; i < count; i++) transports.push(network.transport(`peer-${i}`, config, { logger: silentLogger() }));
  for (const transport of transports) await transport.start();
  return {
    transports,
    unknownPeerId: 'peer-unknown',
    stop: async () => {
      for (const transport of transports) await transport.stop();
    },
  };
});

transportContract('Libp2pTransport', async (count, config: TransportConfig<ContractMessage>): Promise<TransportFixture> => {
  const cluster = await startTestCluster(count, { connect: true });
  const transports = cluster.hosts.map((host) => new Libp2pTransport(config, { node: host.node, logger: silentLogger() }));
  for (const transport of transports) await transport.start();
  return {
    transports,
    unknownPeerId: peerIdFromPrivateKey(await generateIdentity()).toString(),
    stop: async () => {
      for (const transport of transports) await transport.stop();
      await cluster.stop();
    },
  };
});
