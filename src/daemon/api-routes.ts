import type { Readable } from 'node:stream';
import { SwarmError } from '../core/errors.js';
import type { ContainerSpec, Runtime } from '../runtime/runtime.js';
import type { ClusterControl } from './cluster/cluster-control.js';
import type { ClusterInitRequest, ClusterJoinRequest, CreateContainerRequest, ExecEvent, ExecRequest, ImageSummary, ImportResponse, InfoResponse, PullEvent } from './api-types.js';
import { HttpRouter, stream, type RouteRequest } from './http-router.js';
import { validateContainerSpec } from './validate-container-spec.js';
import { currentMember } from './orchestration/current-member.js';
import { registerOrchestrationRoutes } from './orchestration-routes.js';
import { lookupTypes, type LookupType } from './api-network.js';

/** What the API needs of the node's images. */
export interface ImageService {
  list(): Promise<ImageSummary[]>;
  has(reference: string): Promise<boolean>;
  pull(reference: string, signal: AbortSignal): AsyncIterable<PullEvent>;
  importArchive(archive: Readable, reference: string | undefined): Promise<ImageSummary[]>;
  remove(reference: string, force: boolean): Promise<void>;
}

/** What the API needs of the node's cluster side (ClusterControl). */
export type ClusterService = Pick<ClusterControl, 'status' | 'init' | 'join' | 'leave' | 'joinToken' | 'nodes' | 'node' | 'orchestration' | 'network'>;

export interface ApiComponents {
  runtime: Runtime;
  cluster: ClusterService;
  images: ImageService;
  info(): Promise<InfoResponse>;
}

/** Registers every local-API endpoint on `router`. */
export function registerRoutes(router: HttpRouter, { runtime, images, cluster, info }: ApiComponents): HttpRouter {
  registerOrchestrationRoutes(router, currentMember(() => cluster.orchestration()));
  return router
    .on('GET', '/v1/cluster', async () => cluster.status())
    .on('POST', '/v1/cluster/init', (req) => cluster.init(objectBody<ClusterInitRequest>(req)))
    .on('POST', '/v1/cluster/join', (req) => cluster.join(objectBody<ClusterJoinRequest>(req)))
    .on('POST', '/v1/cluster/leave', async (req) => { await cluster.leave(flag(req, 'force')); return {}; })
    .on('GET', '/v1/cluster/join-token/:role', (req) => cluster.joinToken(req.params['role']!, flag(req, 'rotate')))
    .on('GET', '/v1/nodes', async () => cluster.nodes())
    .on('GET', '/v1/nodes/:ref', async (req) => cluster.node(req.params['ref']!))
    .on('GET', '/v1/network', async () => cluster.network().status())
    .on('GET', '/v1/network/lookup', (req) => cluster.network().lookup(lookupName(req), lookupType(req)))
    .on('GET', '/v1/info', () => info())
    .on('GET', '/v1/images', () => images.list())
    .on('POST', '/v1/images/pull', async (req) => stream(images.pull(stringField(req.body, 'reference'), req.signal)))
    .on('POST', '/v1/images/import', async (req): Promise<ImportResponse> => ({ images: await images.importArchive(req.raw, req.query.get('reference') ?? undefined) }), { rawBody: true })
    .on('DELETE', '/v1/images/:ref', async (req) => { await images.remove(req.params['ref']!, flag(req, 'force')); return {}; })
    .on('GET', '/v1/containers', () => runtime.list())
    .on('POST', '/v1/containers', async (req) => createContainer(runtime, images, req))
    .on('GET', '/v1/containers/:id', (req) => runtime.inspect(req.params['id']!))
    .on('POST', '/v1/containers/:id/start', (req) => runtime.start(req.params['id']!))
    .on('POST', '/v1/containers/:id/stop', (req) => runtime.stop(req.params['id']!, optionalNumber(req, 'timeoutMs')))
    .on('POST', '/v1/containers/:id/kill', async (req) => { await runtime.kill(req.params['id']!, req.query.get('signal') ?? 'SIGKILL'); return {}; })
    .on('DELETE', '/v1/containers/:id', async (req) => { await runtime.remove(req.params['id']!, flag(req, 'force')); return {}; })
    .on('POST', '/v1/containers/:id/wait', (req) => runtime.wait(req.params['id']!))
    .on('GET', '/v1/containers/:id/logs', async (req) => {
      const tail = optionalNumber(req, 'tail');
      return stream(runtime.logs(req.params['id']!, tail === undefined ? { follow: flag(req, 'follow') } : { follow: flag(req, 'follow'), tailLines: tail }, req.signal));
    })
    .on('POST', '/v1/containers/:id/exec', async (req) => stream(execEvents(runtime, req.params['id']!, validateExec(req.body))));
}

async function createContainer(runtime: Runtime, images: ImageService, req: RouteRequest) {
  const body = req.body as Partial<CreateContainerRequest> | undefined;
  if (typeof body !== 'object' || body === null) throw new SwarmError('INVALID_ARGUMENT', 'expected a JSON body {spec, start, pull}');
  const spec: ContainerSpec = validateContainerSpec(body.spec);
  const pull = body.pull ?? 'missing';
  if (!['missing', 'always', 'never'].includes(pull)) throw new SwarmError('INVALID_ARGUMENT', `pull: expected missing, always or never, got ${JSON.stringify(pull)}`);
  if (pull === 'always' || (pull === 'missing' && !(await images.has(spec.image)))) {
    for await (const _event of images.pull(spec.image, req.signal)) {
      // progress is for streaming clients; this endpoint only needs the pull finished
    }
  }
  const created = await runtime.create(spec);
  if (!body.start) return created;
  try {
    return await runtime.start(created.id);
  } catch (err) {
    await runtime.remove(created.id, true);
    throw err;
  }
}

async function* execEvents(runtime: Runtime, id: string, spec: ExecRequest): AsyncGenerator<ExecEvent> {
  const queue: ExecEvent[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const finished = runtime
    .exec(id, spec, (streamName, chunk) => {
      queue.push({ type: 'output', stream: streamName, data: chunk.toString('base64') });
      wake?.();
    })
    .finally(() => {
      done = true;
      wake?.();
    });
  for (;;) {
    while (queue.length > 0) yield queue.shift()!;
    if (done) break;
    await new Promise<void>((resolve) => (wake = resolve));
  }
  yield { type: 'exit', exitCode: await finished };
}

function validateExec(body: unknown): ExecRequest {
  const b = body as Partial<ExecRequest> | undefined;
  if (!b || !Array.isArray(b.args) || b.args.length === 0 || !b.args.every((a) => typeof a === 'string')) {
    throw new SwarmError('INVALID_ARGUMENT', 'exec: expected {args: [command, ...args]} with at least the command');
  }
  const env = b.env ?? [];
  if (!Array.isArray(env) || !env.every((e) => typeof e === 'string' && e.includes('='))) throw new SwarmError('INVALID_ARGUMENT', 'exec: env entries must be "KEY=value" strings');
  return { args: b.args, env, ...(b.user ? { user: b.user } : {}), ...(b.workingDir ? { workingDir: b.workingDir } : {}) };
}

function objectBody<T>(req: RouteRequest): T {
  if (req.body === undefined) return {} as T;
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new SwarmError('INVALID_ARGUMENT', 'expected a JSON object body');
  return req.body as T;
}

function stringField(body: unknown, key: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[key];
  if (typeof value !== 'string' || value.length === 0) throw new SwarmError('INVALID_ARGUMENT', `expected a JSON body with a non-empty string "${key}"`);
  return value;
}

function flag(req: RouteRequest, name: string): boolean {
  const value = req.query.get(name);
  return value === '1' || value === 'true';
}

function optionalNumber(req: RouteRequest, name: string): number | undefined {
  const value = req.query.get(name);
  if (value === null) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new SwarmError('INVALID_ARGUMENT', `query parameter ${name}: expected a non-negative number, got ${JSON.stringify(value)}`);
  return n;
}

function lookupName(req: RouteRequest): string {
  const name = req.query.get('name') ?? '';
  if (name === '' || name.length > 253) throw new SwarmError('INVALID_ARGUMENT', `name: expected a DNS name of 1 to 253 characters, got "${name}"`);
  return name;
}

function lookupType(req: RouteRequest): LookupType {
  const type = (req.query.get('type') ?? 'A').toUpperCase();
  if (!(lookupTypes as readonly string[]).includes(type)) throw new SwarmError('INVALID_ARGUMENT', `type: expected one of ${lookupTypes.join(', ')}, got "${type}"`);
  return type as LookupType;
}
