import { Logger, defaultLoggerConfig } from '../../core/logger.js';
import type { IsolationView } from '../isolation-rules.js';
import { NodeNetwork } from '../node-network.js';
import type { OverlayPeer } from '../overlay-peers.js';
import { TaskNetworks, type NetworkedTask } from '../task-network.js';

/**
 * Run by node-network.test.ts inside a test "host" namespace (the network layer acts on
 * the namespace of its process): sets up or removes the node's network and its tasks'.
 * Argument: JSON of `Order`. Prints `done` once finished.
 */
interface Order {
  action: 'up' | 'down';
  subnet: string;
  underlay: string;
  dir: string;
  peers: OverlayPeer[];
  isolation: IsolationView;
  tasks: NetworkedTask[];
}

const order = JSON.parse(process.argv[2]!) as Order;
const log = new Logger({ ...defaultLoggerConfig(), level: 'warn' });
const node = await NodeNetwork.open({ subnet: order.subnet, underlay: order.underlay, vipRange: '10.201.0.0/16' }, log);
const tasks = new TaskNetworks(order.dir, log);
if (order.action === 'up') {
  await node.setPeers(order.peers);
  await node.setIsolation(order.isolation);
  for (const task of order.tasks) await tasks.attach(task, order.subnet);
} else {
  await tasks.sweep(new Set());
  await node.remove();
}
console.log('done');
