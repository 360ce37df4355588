/**
 * The node's load balancer: spreads traffic to service VIPs and published ports over the
 * services' ready backends, with nftables NAT rules or, where nftables is not usable, a
 * userland proxy. It acts in the network namespace of the process that runs it, which
 * must be the node's (where the bridge and the overlay routes are), as root.
 *
 * Calls are serialized: `update` may be called at any time with the whole current view;
 * views that arrive while one is being applied are coalesced to the newest.
 */
import { isSwarmError, SwarmError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Balancer } from './balancer.js';
import { describeView, type LbDescription, type LbMode } from './lb-description.js';
import type { LbView } from './lb-view.js';
import { nftablesUsable, NftBalancer } from './nft-apply.js';
import type { ProxyConfig } from './proxy-config.js';
import { UserlandBalancer } from './userland-proxy.js';
import type { VipAddresses } from './vip-addresses.js';

export interface LoadBalancerOptions {
  /** 'auto' uses nftables when `nft list tables` works, else the userland proxy. */
  mode: 'auto' | LbMode;
  logger: Logger;
  /** Userland proxy limits; defaults from defaultProxyConfig(). */
  proxy?: ProxyConfig;
  /** Userland VIP addresses; default a dummy interface `swarmts-lb0`. */
  vipAddresses?: VipAddresses;
}

/** Balances what the latest view says until closed. */
export class LoadBalancer {
  private balancer: Balancer | undefined;
  private mode: LbMode | undefined;
  private applied: LbView | undefined;
  private pending: LbView | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly logger: Logger;

  constructor(private readonly options: LoadBalancerOptions) {
    this.logger = options.logger.child('lb');
  }

  /**
   * Makes the node balance `view` (the whole view, not a delta); resolves once it (or a
   * newer view given meanwhile) is in place. Rejects with INVALID_ARGUMENT for a bad view.
   */
  update(view: LbView): Promise<void> {
    if (this.closed) return Promise.reject(new SwarmError('UNAVAILABLE', 'the load balancer is closed'));
    this.pending = structuredClone(view);
    this.running = this.running.catch(() => {}).then(() => this.applyPending());
    return this.running;
  }

  /** Removes every rule, listener and address it made. Waits for a running update. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running.catch(() => {});
    await this.balancer?.close();
    this.balancer = undefined;
    this.applied = undefined;
  }

  /** The mode in use and, per service, each frontend with its backends: for diagnostics. */
  describe(): LbDescription {
    return describeView(this.mode, this.applied);
  }

  private async applyPending(): Promise<void> {
    const view = this.pending;
    this.pending = undefined;
    if (view === undefined || this.closed) return;
    if (this.balancer === undefined) {
      await this.open(view);
    } else {
      await this.balancer.update(view);
    }
    this.applied = view;
  }

  /** Chooses the mode and applies the first view. In 'auto', nftables rules the kernel rejects fall back to userland too. */
  private async open(view: LbView): Promise<void> {
    const wanted = this.options.mode;
    if (wanted === 'auto' && !(await nftablesUsable())) {
      this.logger.warn('nftables is not usable here (`nft list tables` failed); balancing with the userland proxy');
    } else if (wanted !== 'userland') {
      const nft = new NftBalancer(this.logger);
      try {
        await nft.update(view);
        return this.opened('nftables', nft);
      } catch (err) {
        if (wanted === 'nftables' || isSwarmError(err, 'INVALID_ARGUMENT')) throw err;
        this.logger.warn('nftables rejected the load-balancer rules; balancing with the userland proxy', { error: err });
        await nft.close().catch(() => {});
      }
    }
    const userland = new UserlandBalancer(this.logger, this.options.proxy, this.options.vipAddresses);
    try {
      await userland.update(view);
    } catch (err) {
      // Undo what it made, so the next update starts from nothing.
      await userland.close().catch(() => {});
      throw err;
    }
    this.opened('userland', userland);
  }

  private opened(mode: LbMode, balancer: Balancer): void {
    this.balancer = balancer;
    this.mode = mode;
    this.logger.info('load balancer started', { mode });
  }
}
