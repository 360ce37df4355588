/**
 * What a daemon's API answers about orchestration, checked against the contract
 * (src/daemon/api-orchestration.ts, src/runtime/runtime.ts) so that a changed answer is
 * reported as such, not as a slow cluster. Only the fields scenarios look at are kept.
 */

/** A task as `GET /v1/services/:ref/tasks` lists it (TaskSummary). */
export interface ListedTask {
  id: string;
  name: string;
  nodeId: string | undefined;
  /** The node's hostname, when the daemon knows it. */
  node: string | undefined;
  state: string;
  desiredState: string;
  containerId: string | undefined;
  /** Why the task failed or was rejected; '' otherwise. */
  error: string;
  /** Its address on the cluster network, once placed. */
  address: string | undefined;
}

/** A container as `GET /v1/containers` lists it (ContainerInfo). */
export interface ListedContainer {
  id: string;
  state: string;
  labels: Record<string, string>;
}

/** `GET /v1/orchestration` (OrchestrationStatus). */
export interface ListedStatus {
  leader: string | undefined;
  isLeader: boolean;
}

/** The label the agent puts on a task's container: the service's full name. */
export const serviceNameLabel = 'swarmts.service.name';

type Field = 'string' | 'string?' | 'boolean' | 'object';

function check(entry: unknown, fields: Record<string, Field>): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'is not an object';
  const e = entry as Record<string, unknown>;
  for (const [key, type] of Object.entries(fields)) {
    const v = e[key];
    const ok = type === 'string?' ? v === undefined || v === null || typeof v === 'string'
      : type === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v)
      : typeof v === type;
    if (!ok) return `${key} is ${JSON.stringify(v)}, expected ${type === 'string?' ? 'a string or nothing' : `a${type === 'object' ? 'n' : ''} ${type}`}`;
  }
  return undefined;
}

function list<T>(what: string, body: unknown, fields: Record<string, Field>, take: (e: Record<string, unknown>) => T): T[] | Error {
  if (!Array.isArray(body)) return new Error(`${what}: expected a JSON array, got ${JSON.stringify(body)?.slice(0, 200)}`);
  const out: T[] = [];
  for (const [i, entry] of body.entries()) {
    const bad = check(entry, fields);
    if (bad) return new Error(`${what}: entry ${i} ${bad}: ${JSON.stringify(entry).slice(0, 200)}`);
    out.push(take(entry as Record<string, unknown>));
  }
  return out;
}

const optional = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** The tasks in an answer of `GET /v1/services/:ref/tasks`, or an Error naming the first entry that breaks the contract. */
export function parseTasks(body: unknown): ListedTask[] | Error {
  const fields: Record<string, Field> = { id: 'string', name: 'string', nodeId: 'string?', node: 'string?', state: 'string', desiredState: 'string', containerId: 'string?', error: 'string?', address: 'string?' };
  return list('task list', body, fields, (e) => ({
    id: e['id'] as string, name: e['name'] as string, nodeId: optional(e['nodeId']), node: optional(e['node']),
    state: e['state'] as string, desiredState: e['desiredState'] as string, containerId: optional(e['containerId']),
    error: optional(e['error']) ?? '', address: optional(e['address']),
  }));
}

/** The containers in an answer of `GET /v1/containers`, or an Error naming the first bad entry. */
export function parseContainers(body: unknown): ListedContainer[] | Error {
  return list('container list', body, { id: 'string', state: 'string', labels: 'object' }, (e) => ({
    id: e['id'] as string, state: e['state'] as string, labels: e['labels'] as Record<string, string>,
  }));
}

/** An answer of `GET /v1/orchestration`, or an Error saying what breaks the contract. */
export function parseStatus(body: unknown): ListedStatus | Error {
  const bad = check(body, { leader: 'string?', isLeader: 'boolean' });
  if (bad) return new Error(`orchestration status: ${bad}: ${JSON.stringify(body)?.slice(0, 200)}`);
  const e = body as Record<string, unknown>;
  return { leader: optional(e['leader']), isLeader: e['isLeader'] as boolean };
}

/** A task the orchestrator wants running and that runs. */
export function isRunning(task: ListedTask): boolean {
  return task.state === 'running' && task.desiredState === 'running';
}

/** The ids of `service`'s running containers, sorted. */
export function runningContainersOf(containers: ListedContainer[], service: string): string[] {
  return containers.filter((c) => c.state === 'running' && c.labels[serviceNameLabel] === service).map((c) => c.id).sort();
}

/** Whether two container ids name the same container (one may be a prefix of the other). */
export function sameContainer(a: string, b: string): boolean {
  return a.length >= 12 && b.length >= 12 && (a.startsWith(b) || b.startsWith(a));
}
