import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../core/logger.js';
import { defaultP2pHostConfig, type P2pHostConfig } from './host-config.js';
import { createP2pHost, type P2pHost } from './host.js';
import { generatePsk } from './psk.js';
import { waitFor } from './wait-for.js';

/**
 * Test fixture: real hosts on 127.0.0.1 with OS-chosen ports and identities in a temporary
 * directory. `stop()` stops every host and removes the directory; call it in `finally`.
 */
export interface TestCluster {
  hosts: P2pHost[];
  directory: string;
  psk: Uint8Array;
  /** Starts one more host in the same directory (or with other settings), tracked for stop(). */
  addHost(overrides?: Partial<P2pHostConfig>): Promise<P2pHost>;
  stop(): Promise<void>;
}

/** Starts `count` hosts sharing one PSK; with `connect`, dials every pair and waits for gossip readiness. */
export async function startTestCluster(count: number, options: { connect?: boolean } = {}): Promise<TestCluster> {
  const directory = await mkdtemp(join(tmpdir(), 'swarmts-p2p-'));
  const psk = generatePsk();
  const hosts: P2pHost[] = [];
  let next = 0;
  const addHost = async (overrides: Partial<P2pHostConfig> = {}): Promise<P2pHost> => {
    const config: P2pHostConfig = {
      ...defaultP2pHostConfig({ identityPath: join(directory, `host-${next++}`, 'identity.key'), psk }),
      listenAddresses: ['/ip4/127.0.0.1/tcp/0'],
      ...overrides,
    };
    const host = await createP2pHost(config, { logger: silentLogger() });
    hosts.push(host);
    await host.start();
    return host;
  };
  const cluster: TestCluster = {
    hosts,
    directory,
    psk,
    addHost,
    async stop() {
      await Promise.allSettled(hosts.map((host) => host.stop()));
      await rm(directory, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 0; i < count; i++) await addHost();
    if (options.connect === true) await connectAll(hosts);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** Dials every pair of hosts and waits until each sees all the others. */
export async function connectAll(hosts: readonly P2pHost[]): Promise<void> {
  for (const [i, host] of hosts.entries()) {
    for (const other of hosts.slice(i + 1)) await host.dial(other.multiaddrs()[0] as string);
  }
  await waitFor('every host connected to every other', () => hosts.every((h) => h.connectedPeers().length >= hosts.length - 1));
}
