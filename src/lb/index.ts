/**
 * Service load balancing (the routing mesh): traffic to a service's VIP or to a published
 * port on this node, spread round-robin over the service's ready tasks anywhere in the cluster.
 * The daemon builds an `LbView` and calls `LoadBalancer.update()` whenever it changes.
 */
export { LoadBalancer, type LoadBalancerOptions } from './load-balancer.js';
export type { LbDescription, LbMode } from './lb-description.js';
export { validateLbView, type LbBackend, type LbNode, type LbPort, type LbService, type LbView } from './lb-view.js';
export { defaultProxyConfig, type ProxyConfig } from './proxy-config.js';
export { lbSysctls } from './sysctl.js';
export { DummyInterfaceVips, LoopbackVips, type VipAddresses } from './vip-addresses.js';
