/**
 * Makes VIPs local addresses for the userland mode: the proxy can only listen on an address
 * the node owns. Each VIP becomes a /32 on a dummy interface `swarmts-lb0` (or on `lo` where
 * the kernel has no dummy driver) in the node's network namespace; containers reach it
 * through their gateway (the node), the node itself directly. Neither device is the bridge,
 * so containers never see ARP for a VIP.
 */
import { SwarmError } from '../core/errors.js';
import { runCommand } from './run-command.js';

/** Owner of the node's VIP addresses in userland mode. */
export interface VipAddresses {
  add(ip: string): Promise<void>;
  remove(ip: string): Promise<void>;
  /** Removes every address it added (and its device). */
  close(): Promise<void>;
}

/**
 * VIPs as /32 addresses on a dummy device, created on first use and deleted on close; on
 * kernels without the dummy driver, on `lo` instead (every address it added is deleted on close).
 */
export class DummyInterfaceVips implements VipAddresses {
  private device: string | undefined;
  private readonly added = new Set<string>();

  constructor(private readonly dummyName = 'swarmts-lb0') {}

  async add(ip: string): Promise<void> {
    const device = this.device ?? (await this.openDevice());
    await runIp(['addr', 'replace', `${ip}/32`, 'dev', device]);
    this.added.add(ip);
  }

  async remove(ip: string): Promise<void> {
    if (this.device === undefined || !this.added.delete(ip)) return;
    await runIp(['addr', 'del', `${ip}/32`, 'dev', this.device], /Cannot assign|not found/i);
  }

  async close(): Promise<void> {
    if (this.device === undefined) return;
    if (this.device === 'lo') {
      for (const ip of [...this.added]) await this.remove(ip);
    } else {
      await runIp(['link', 'del', this.device], /Cannot find device/);
    }
    this.added.clear();
    this.device = undefined;
  }

  private async openDevice(): Promise<string> {
    const made = await runCommand('ip', ['link', 'add', this.dummyName, 'type', 'dummy']);
    if (made.code !== 0 && !/File exists/.test(made.stderr)) {
      if (!/Unknown device type|not supported/i.test(made.stderr)) await runIp(['link', 'add', this.dummyName, 'type', 'dummy']);
      this.device = 'lo';
      return this.device;
    }
    await runIp(['link', 'set', this.dummyName, 'up']);
    this.device = this.dummyName;
    return this.device;
  }
}

/** For VIPs in 127.0.0.0/8, which the loopback interface already owns: nothing to add. */
export class LoopbackVips implements VipAddresses {
  async add(ip: string): Promise<void> {
    if (!ip.startsWith('127.')) throw new SwarmError('INVALID_ARGUMENT', `LoopbackVips only serves 127.0.0.0/8 VIPs, got ${ip}: use DummyInterfaceVips`);
  }
  async remove(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Runs `ip args`; an error whose message matches `harmless` counts as done. */
async function runIp(args: string[], harmless?: RegExp): Promise<void> {
  const result = await runCommand('ip', args);
  if (result.code === 0 || (harmless !== undefined && harmless.test(result.stderr))) return;
  const reason = result.missing ? 'ip is not installed (apt-get install iproute2)' : result.stderr.trim();
  throw new SwarmError('IO_ERROR', `ip ${args.join(' ')} failed: ${reason}; the userland load balancer needs root (CAP_NET_ADMIN) in the node's network namespace`);
}
