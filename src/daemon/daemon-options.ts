/** How one daemon is started: where its state lives, what the node is called, which OCI runtime. */
export interface DaemonOptions {
  stateDir: string;
  nodeName: string;
  /** swarmts-runtime, crun, runc, or a path to an OCI runtime binary. */
  ociRuntime: string;
  /** `overlay`: task containers on the cluster network with DNS and load balancing; `none`: loopback only. */
  network: 'overlay' | 'none';
  /** How published ports and virtual IPs are balanced: nftables, the userland proxy, or auto (nftables when usable). */
  loadBalancer: 'auto' | 'nftables' | 'userland';
}
