import type { ReconcileInput } from './orchestrator-types.js';
import type { ServiceRecord, TaskRecord } from './records.js';

/** A fresh task of `service` at its current spec, for `slot` (0 for global services, which name the node instead). */
export function newTask(service: ServiceRecord, slot: number, nodeId: string | undefined, input: ReconcileInput): TaskRecord {
  return {
    id: input.newId(),
    serviceId: service.id,
    slot,
    nodeId,
    desiredState: 'running',
    state: 'new',
    error: '',
    createdAtMs: input.nowMs,
    updatedAtMs: input.nowMs,
    spec: service.spec,
    specVersion: service.version,
    containerId: undefined,
    exitCode: undefined,
    health: undefined,
    address: undefined,
    networks: service.networks,
  };
}
