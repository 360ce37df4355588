/** What the DNS answers from: the cluster's services and tasks, as a node's replica sees them. */
export interface DnsView {
  services: DnsService[];
}
export interface DnsService {
  /** `${stack}_${name}`, e.g. "shop_web". */
  fullName: string;
  stack: string;
  /** The name in the stack file, e.g. "web". */
  name: string;
  /** Undefined with endpoint_mode dnsrr. */
  vip: string | undefined;
  endpointMode: 'vip' | 'dnsrr';
  /** Full network names (e.g. "shop_default") the service is attached to. */
  networks: string[];
  ports: Array<{ target: number; protocol: 'tcp' | 'udp' }>;
  tasks: DnsTask[];
}
export interface DnsTask {
  id: string;
  /** Swarm task name, e.g. "shop_web.2" (replicated) or "shop_web.<nodeId>" (global). */
  name: string;
  /** The container's hostname (spec hostname or the container id prefix). */
  hostname: string;
  ip: string;
  /** Running and (if it has a health check) healthy: only these are answered. */
  ready: boolean;
}
