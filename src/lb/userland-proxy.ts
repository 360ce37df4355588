/**
 * The userland mode: a TCP or UDP proxy per balanced frontend, for when nftables is not
 * usable (or chosen). VIPs are made local addresses (vip-addresses.ts) and listened on at
 * the target port; published ports are listened on at every address (0.0.0.0). A frontend
 * without backends has no listener, so the kernel refuses it: a TCP reset, or ICMP port
 * unreachable for UDP, as in the nftables mode.
 */
import type { Logger } from '../core/logger.js';
import { SwarmError } from '../core/errors.js';
import type { Balancer } from './balancer.js';
import type { FrontendProxy } from './frontend-proxy.js';
import { frontendsOf, type LbFrontend } from './lb-frontends.js';
import { validateLbView, type LbView } from './lb-view.js';
import { defaultProxyConfig, validateProxyConfig, type ProxyConfig } from './proxy-config.js';
import { TcpFrontendProxy } from './tcp-proxy.js';
import { UdpFrontendProxy } from './udp-proxy.js';
import { DummyInterfaceVips, type VipAddresses } from './vip-addresses.js';

interface RunningFrontend {
  /** The frontend it was opened for; a change of target port reopens it. */
  frontend: LbFrontend;
  proxy: FrontendProxy;
}

/** Balancing in this process with a proxy per frontend. */
export class UserlandBalancer implements Balancer {
  private readonly running = new Map<string, RunningFrontend>();
  private readonly vips = new Set<string>();

  constructor(
    private readonly logger: Logger,
    private readonly config: ProxyConfig = defaultProxyConfig(),
    private readonly addresses: VipAddresses = new DummyInterfaceVips(),
  ) {
    validateProxyConfig(config);
  }

  async update(view: LbView): Promise<void> {
    const errors = validateLbView(view);
    if (errors.length > 0) throw new SwarmError('INVALID_ARGUMENT', `invalid load-balancer view:\n  ${errors.join('\n  ')}`, { details: { errors } });
    const wantedVips = new Set(view.services.flatMap((s) => (s.vip === undefined ? [] : [s.vip])));
    const wanted = new Map(view.services.flatMap(frontendsOf).filter((f) => f.backends.length > 0).map((f) => [f.key, f]));
    for (const ip of wantedVips) {
      if (!this.vips.has(ip)) await this.addresses.add(ip);
      this.vips.add(ip);
    }
    for (const [key, running] of this.running) {
      const next = wanted.get(key);
      if (next === undefined || next.targetPort !== running.frontend.targetPort) await this.stop(key, running);
    }
    for (const [key, frontend] of wanted) {
      const running = this.running.get(key);
      if (running !== undefined) {
        running.proxy.setBackends(frontend.backends);
        running.frontend = frontend;
      } else {
        await this.start(frontend);
      }
    }
    for (const ip of [...this.vips]) {
      if (wantedVips.has(ip)) continue;
      await this.addresses.remove(ip);
      this.vips.delete(ip);
    }
  }

  async close(): Promise<void> {
    for (const [key, running] of this.running) await this.stop(key, running);
    this.vips.clear();
    await this.addresses.close();
  }

  private async start(frontend: LbFrontend): Promise<void> {
    const address = { host: frontend.address ?? '0.0.0.0', port: frontend.port, targetPort: frontend.targetPort };
    const logger = this.logger;
    const proxy = frontend.protocol === 'tcp'
      ? new TcpFrontendProxy(address, this.config, logger)
      : new UdpFrontendProxy(address, this.config, logger);
    try {
      await proxy.listen();
    } catch (err) {
      // One frontend that cannot bind (a port taken by another program) must not stop the others.
      logger.error(`cannot listen for ${frontend.key}: is another program using ${address.host}:${address.port}/${frontend.protocol}?`, { error: err });
      return;
    }
    proxy.setBackends(frontend.backends);
    this.running.set(frontend.key, { frontend, proxy });
  }

  private async stop(key: string, running: RunningFrontend): Promise<void> {
    this.running.delete(key);
    await running.proxy.close();
  }
}
