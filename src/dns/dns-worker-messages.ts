/** The IPC messages between a DnsServer and its UDP helper processes (dns-udp-worker.ts). */
import type { DnsServerConfig } from './dns-config.js';
import type { DnsCounters } from './dns-responder.js';
import type { DnsView } from './dns-view.js';

/** Parent to worker. `start` comes first, with the bound UDP socket as the IPC handle. */
export type ToDnsWorker =
  | { kind: 'start'; config: DnsServerConfig; view: DnsView }
  | { kind: 'view'; view: DnsView; version: number }
  | { kind: 'counters'; requestId: number }
  | { kind: 'stop' };

/** Worker to parent. */
export type FromDnsWorker =
  | { kind: 'started' }
  | { kind: 'view-applied'; version: number }
  | { kind: 'counters'; requestId: number; counters: DnsCounters };
