import { SwarmError } from '../core/errors.js';
import { stream, type HttpRouter, type RouteRequest } from './http-router.js';
import type { OrchestrationService } from './api-orchestration.js';
import { validateDeployRequest, validateNodeUpdateRequest, validateScaleRequest, validateUpdateServiceRequest } from './validate-orchestration-request.js';

/**
 * Registers the local API's orchestration endpoints (stacks, services, tasks, node
 * changes, events) on `router`; bodies are validated here, before `service` sees them.
 */
export function registerOrchestrationRoutes(router: HttpRouter, service: OrchestrationService): HttpRouter {
  const p = (req: RouteRequest, name: string): string => req.params[name]!;
  return router
    .on('GET', '/v1/orchestration', async () => service.status())
    .on('POST', '/v1/stacks/:name/deploy', (req) => service.deployStack(p(req, 'name'), validateDeployRequest(p(req, 'name'), req.body)))
    .on('GET', '/v1/stacks', async () => service.stacks())
    .on('DELETE', '/v1/stacks/:name', (req) => service.removeStack(p(req, 'name')))
    .on('GET', '/v1/stacks/:name/services', async (req) => service.services(p(req, 'name')))
    .on('GET', '/v1/stacks/:name/tasks', async (req) => service.tasks({ stack: p(req, 'name') }))
    .on('GET', '/v1/services', async () => service.services())
    .on('GET', '/v1/services/:ref', async (req) => service.service(p(req, 'ref')))
    .on('GET', '/v1/services/:ref/tasks', async (req) => service.tasks({ service: p(req, 'ref') }))
    .on('GET', '/v1/tasks', async (req) => service.tasks(nodeFilter(req)))
    .on('POST', '/v1/services/:ref/scale', (req) => service.scaleService(p(req, 'ref'), validateScaleRequest(req.body).replicas))
    .on('POST', '/v1/services/:ref/update', (req) => service.updateService(p(req, 'ref'), validateUpdateServiceRequest(req.body).spec))
    .on('POST', '/v1/services/:ref/rollback', (req) => service.rollbackService(p(req, 'ref')))
    .on('GET', '/v1/services/:ref/logs', async (req) => {
      const tailLines = wholeNumber(req, 'tail');
      const options = tailLines === undefined ? { follow: flag(req, 'follow') } : { follow: flag(req, 'follow'), tailLines };
      return stream(service.serviceLogs(p(req, 'ref'), options, req.signal));
    })
    .on('POST', '/v1/nodes/:ref/update', (req) => service.updateNode(p(req, 'ref'), validateNodeUpdateRequest(req.body)))
    .on('POST', '/v1/nodes/:ref/promote', (req) => service.setNodeRole(p(req, 'ref'), 'manager'))
    .on('POST', '/v1/nodes/:ref/demote', (req) => service.setNodeRole(p(req, 'ref'), 'worker'))
    .on('DELETE', '/v1/nodes/:ref', (req) => service.removeNode(p(req, 'ref'), flag(req, 'force')))
    .on('GET', '/v1/events', async (req) => stream(service.events(wholeNumber(req, 'since') ?? 0, req.signal, flag(req, 'usage'))));
}

function nodeFilter(req: RouteRequest): { node?: string } {
  const node = req.query.get('node');
  if (node === '') throw new SwarmError('INVALID_ARGUMENT', 'query parameter node: expected a node id, id prefix or hostname, got nothing');
  return node === null ? {} : { node };
}

function flag(req: RouteRequest, name: string): boolean {
  const value = req.query.get(name);
  return value === '1' || value === 'true';
}

function wholeNumber(req: RouteRequest, name: string): number | undefined {
  const value = req.query.get(name);
  if (value === null) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new SwarmError('INVALID_ARGUMENT', `query parameter ${name}: expected a whole number >= 0, got ${JSON.stringify(value)}`);
  return Number(value);
}
