import type { OrchestrationService } from '../api-orchestration.js';

/**
 * An OrchestrationService that forwards every call to the node's orchestration of the
 * moment (`current()` throws while the node is in no cluster), so the API's routes are
 * registered once while the node joins and leaves clusters under them.
 */
export function currentMember(current: () => OrchestrationService): OrchestrationService {
  return new Proxy({} as OrchestrationService, {
    get: (_target, method: keyof OrchestrationService) => (...args: unknown[]) => (current()[method] as (...a: unknown[]) => unknown)(...args),
  });
}
