/**
 * Simulated machines for scenarios and benchmarks: one network namespace per "host", each
 * with one veth on a private bridge, addresses from 10.99.<subnet>.0/24 (never anything
 * routed off this machine). Faults are nftables rules inside the hosts' own namespaces, so
 * deleting a namespace removes its faults with it. Everything made is named from one
 * prefix and removed by `destroy()`, also after a failure.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Host {
  /** Index from 1. */
  index: number;
  /** The network namespace name (`ip netns exec <netns> ...`). */
  netns: string;
  ip: string;
}

export interface HostsConfig {
  /** Names every namespace, veth and bridge; at most 6 characters so device names fit in 15. */
  prefix: string;
  count: number;
  /** Third octet of 10.99.X.0/24; one per concurrent run. */
  subnet: number;
}

async function sh(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Deletes a link and waits (bounded) until the kernel no longer lists it; a missing link is fine. */
async function removeLink(name: string): Promise<void> {
  await sh('ip', ['link', 'del', name]).catch(() => {});
  for (let i = 0; i < 50; i++) {
    if (!(await sh('ip', ['link', 'show', name]).then(() => true, () => false))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A set of hosts on one bridge. */
export class Hosts {
  readonly hosts: Host[];
  readonly bridge: string;
  /** The bridge's own address: how hosts reach services on this machine (e.g. a registry). */
  readonly gatewayIp: string;

  private constructor(private readonly config: HostsConfig) {
    this.bridge = `${config.prefix}br`;
    this.gatewayIp = `10.99.${config.subnet}.1`;
    this.hosts = Array.from({ length: config.count }, (_, i) => ({ index: i + 1, netns: `${config.prefix}h${i + 1}`, ip: `10.99.${config.subnet}.${10 + i + 1}` }));
  }

  /** Creates the bridge and every host; on a failure removes what it made and rethrows. */
  static async create(config: HostsConfig): Promise<Hosts> {
    if (!/^[a-z][a-z0-9]{0,5}$/.test(config.prefix)) throw new Error(`hosts prefix "${config.prefix}": 1-6 lowercase letters/digits, starting with a letter`);
    if (!(config.subnet >= 1 && config.subnet <= 254)) throw new Error(`hosts subnet ${config.subnet}: expected 1..254`);
    if (!(config.count >= 1 && config.count <= 200)) throw new Error(`hosts count ${config.count}: expected 1..200`);
    const hosts = new Hosts(config);
    try {
      await sh('ip', ['link', 'add', hosts.bridge, 'type', 'bridge']);
      await sh('ip', ['addr', 'add', `${hosts.gatewayIp}/24`, 'dev', hosts.bridge]);
      await sh('ip', ['link', 'set', hosts.bridge, 'up']);
      for (const host of hosts.hosts) await hosts.addHost(host);
      return hosts;
    } catch (err) {
      await hosts.destroy();
      throw err;
    }
  }

  private async addHost(host: Host): Promise<void> {
    const outside = `${this.config.prefix}v${host.index}`;
    await removeLink(outside);
    await sh('ip', ['netns', 'add', host.netns]);
    await sh('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.netns]);
    await sh('ip', ['link', 'set', outside, 'master', this.bridge, 'up']);
    const inNs = (...args: string[]) => sh('ip', ['netns', 'exec', host.netns, ...args]);
    await inNs('ip', 'addr', 'add', `${host.ip}/24`, 'dev', 'eth0');
    await inNs('ip', 'link', 'set', 'eth0', 'up');
    await inNs('ip', 'link', 'set', 'lo', 'up');
    await inNs('ip', 'route', 'add', 'default', 'via', this.gatewayIp);
    await inNs('nft', 'add table inet fault; add chain inet fault input { type filter hook input priority -10 ; }; add chain inet fault output { type filter hook output priority -10 ; }');
  }

  /**
   * The command line that runs `argv` inside a host's network namespace. Only the network
   * namespace: `ip netns exec` also unshares the mounts and remounts /sys for the namespace,
   * which hides /sys/fs/cgroup's mounts (on a cgroup v1 machine the daemon's runtime then
   * fails with "mkdir /sys/fs/cgroup/pids: No such file or directory").
   */
  exec(host: Host, argv: string[]): string[] {
    return ['nsenter', `--net=/run/netns/${host.netns}`, '--', ...argv];
  }

  /** Cuts all traffic between the two groups, both ways. */
  async partition(a: Host[], b: Host[]): Promise<void> {
    for (const [side, other] of [[a, b], [b, a]] as const) {
      for (const host of side) {
        const addrs = other.map((h) => h.ip).join(', ');
        await this.nft(host, `add rule inet fault input ip saddr { ${addrs} } drop; add rule inet fault output ip daddr { ${addrs} } drop`);
      }
    }
  }

  /** Drops `percent`% of the host's incoming and outgoing packets at random (there is no netem here). */
  async packetLoss(host: Host, percent: number): Promise<void> {
    if (!(percent >= 0 && percent <= 100)) throw new Error(`packet loss ${percent}%: expected 0..100`);
    await this.nft(host, `add rule inet fault input meta l4proto { tcp, udp } numgen random mod 100 < ${percent} drop; add rule inet fault output meta l4proto { tcp, udp } numgen random mod 100 < ${percent} drop`);
  }

  /** Removes every fault rule from every host. */
  async heal(): Promise<void> {
    for (const host of this.hosts) await this.nft(host, 'flush chain inet fault input; flush chain inet fault output');
  }

  private async nft(host: Host, script: string): Promise<void> {
    await sh('ip', ['netns', 'exec', host.netns, 'nft', script]);
  }

  /** SIGKILLs every process in the host's network namespace; resolves with how many there were. */
  async killAll(host: Host): Promise<number> {
    const pids = (await sh('ip', ['netns', 'pids', host.netns]).catch(() => '')).split('\n').filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return pids.length;
  }

  /** Kills whatever still runs in the hosts, removes the namespaces and the bridge. Never throws. */
  async destroy(): Promise<void> {
    for (const host of this.hosts) {
      const pids = await sh('ip', ['netns', 'pids', host.netns]).catch(() => '');
      for (const pid of pids.split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      // Deleting the veth removes both ends at once; the kernel tears a deleted namespace's
      // devices down asynchronously, so without this one could outlive destroy().
      await removeLink(`${this.config.prefix}v${host.index}`);
      await sh('ip', ['netns', 'del', host.netns]).catch(() => {});
    }
    await sh('ip', ['link', 'del', this.bridge]).catch(() => {});
  }
}
