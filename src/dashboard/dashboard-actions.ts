import { errorMessage } from '../core/errors.js';
import type { ApiClient } from '../daemon/api-client.js';
import type { ServiceLogLine } from '../daemon/api-orchestration.js';

/** What the dashboard's keys do to the cluster; the daemon's API does the work. */
export interface DashboardActions {
  scale(service: string, replicas: number): Promise<void>;
  /** Sets a node's availability to drain: its tasks move to other nodes. */
  drain(nodeId: string): Promise<void>;
  /** Calls `onLine` with each line of the service's output (the last few first) until `signal` aborts. */
  followLogs(service: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void>;
}

/** Lines of output shown at once when logs open: about a pane's worth. */
const logTailLines = 50;

/** The actions over the local API. */
export function apiActions(client: ApiClient): DashboardActions {
  const servicePath = (name: string, rest: string) => `/v1/services/${encodeURIComponent(name)}${rest}`;
  return {
    scale: async (service, replicas) => void (await client.call('POST', servicePath(service, '/scale'), { replicas })),
    drain: async (nodeId) => void (await client.call('POST', `/v1/nodes/${encodeURIComponent(nodeId)}/update`, { availability: 'drain' })),
    followLogs: async (service, onLine, signal) => {
      try {
        for await (const line of client.stream<ServiceLogLine>('GET', servicePath(service, `/logs?follow=1&tail=${logTailLines}`), undefined, signal)) {
          onLine(`${line.task}: ${line.line}`);
        }
      } catch (err) {
        if (!signal.aborted) onLine(`(the log stream ended: ${errorMessage(err)})`);
      }
    },
  };
}
