/** What the userland balancer asks of one listening frontend, TCP or UDP. */

/** A listener for one frontend that forwards to its backends in turn. */
export interface FrontendProxy {
  /** Starts listening; rejects when the address cannot be bound. */
  listen(): Promise<void>;
  /** Replaces the backend IPs (round-robin order); connections to removed ones are closed. */
  setBackends(ips: string[]): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Where a frontend listens and which port it forwards to. */
export interface FrontendAddress {
  /** Address to bind: a VIP, or '0.0.0.0' for a published port. */
  host: string;
  port: number;
  targetPort: number;
}
