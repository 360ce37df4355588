import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { subnetGateway } from '../cluster/address-plan.js';
import { SwarmError } from '../core/errors.js';
import { parseIpv4Block } from '../core/ipv4.js';
import type { Logger } from '../core/logger.js';
import { run } from '../core/run-command.js';
import type { MountSpec, NetworkAttachment } from '../runtime/runtime.js';
import { bridgeName, hostVethName, overlayMtu, taskNetnsName } from './link-names.js';
import { ipBatch } from './net-commands.js';

/** What a task's container is given: its network namespace and the resolver and hosts files to mount. */
export interface TaskAttachment {
  network: NetworkAttachment;
  mounts: MountSpec[];
}

/** A task as the network layer sees it. */
export interface NetworkedTask {
  id: string;
  address: string | undefined;
  hostname: string;
}

const netnsDir = '/run/netns';

/**
 * Each task's own network namespace on the node's bridge: made before its container, with
 * a veth (eth0 inside, MTU of the overlay), the task's address, a default route through
 * the bridge, and /etc/resolv.conf naming the node's DNS server on the gateway. Every
 * namespace made is recorded under `dir`, so removal and the sweep after a crash touch only
 * this daemon's namespaces (the machine's /run/netns is shared by every daemon on it).
 */
export class TaskNetworks {
  constructor(private readonly dir: string, private readonly log: Logger) {}

  /** Makes the task's namespace on the bridge of `subnet`, this node's. */
  async attach(task: NetworkedTask, subnet: string): Promise<TaskAttachment> {
    if (task.address === undefined) throw new SwarmError('UNAVAILABLE', `task ${task.id} has no address: this node's subnet ${subnet} is full; free addresses by removing tasks, or add nodes`);
    const netns = taskNetnsName(task.id);
    const files = join(this.dir, task.id);
    await mkdir(files, { recursive: true, mode: 0o700 });
    if (existsSync(join(netnsDir, netns))) await this.deleteNetns(netns);
    await run('ip', ['netns', 'add', netns], { what: `making the network namespace of task ${task.id}` });
    try {
      const veth = hostVethName(task.id);
      const prefix = parseIpv4Block(subnet)!.prefix;
      await ipBatch([
        `link add ${veth} mtu ${overlayMtu} type veth peer name eth0 mtu ${overlayMtu} netns ${netns}`,
        `link set ${veth} master ${bridgeName} up`,
      ], `connecting task ${task.id} to ${bridgeName}`);
      await ipBatch([
        `addr add ${task.address}/${prefix} dev eth0`,
        'link set lo up',
        'link set eth0 up',
        `route add default via ${subnetGateway(subnet)}`,
      ], `configuring the network of task ${task.id}`, netns);
    } catch (err) {
      await this.deleteNetns(netns);
      throw err;
    }
    const resolvConf = join(files, 'resolv.conf');
    const hosts = join(files, 'hosts');
    await writeFile(resolvConf, `nameserver ${subnetGateway(subnet)}\noptions ndots:0\n`);
    await writeFile(hosts, `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${task.address}\t${task.hostname}\n`);
    return {
      network: { mode: 'netns', path: join(netnsDir, netns) },
      mounts: [
        { type: 'bind', source: resolvConf, target: '/etc/resolv.conf', readOnly: true },
        { type: 'bind', source: hosts, target: '/etc/hosts', readOnly: true },
      ],
    };
  }

  /** Removes the task's namespace (its veth goes with it) and files; nothing to do when there are none. */
  async detach(taskId: string): Promise<void> {
    const netns = taskNetnsName(taskId);
    if (existsSync(join(netnsDir, netns))) await this.deleteNetns(netns);
    await rm(join(this.dir, taskId), { recursive: true, force: true });
  }

  /** Detaches every task this daemon attached that is not in `keep`: what a crash or a lost removal left. */
  async sweep(keep: ReadonlySet<string>): Promise<void> {
    const recorded = existsSync(this.dir) ? await readdir(this.dir) : [];
    for (const taskId of recorded.filter((id) => !keep.has(id))) {
      this.log.info('removing the network of a task that is gone', { task: taskId });
      await this.detach(taskId);
    }
  }

  private async deleteNetns(netns: string): Promise<void> {
    await run('ip', ['netns', 'delete', netns], { what: `removing network namespace ${netns}` });
  }
}
