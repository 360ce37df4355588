import type { ServiceSpec } from './service-spec.js';
import { findDependencyCycles } from './depends-on.js';
import type { Reporter } from './reporter.js';
import type { YMap } from './yaml-tree.js';

/** Checks that span services: dependency cycles and published ports two services claim. */
export function checkAcrossServices(services: readonly ServiceSpec[], servicesNode: YMap, r: Reporter): void {
  // Where a service's own key sits (`ports`, `depends_on`), falling back to the service's name.
  const keyPos = (name: string, key: string) => {
    const entry = servicesNode.entries.find((e) => e.key === name);
    const own = entry?.value.kind === 'map' ? entry.value.entries.find((e) => e.key === key)?.keyPos : undefined;
    return own ?? entry?.keyPos ?? servicesNode.pos;
  };
  const graph = new Map(services.map((s) => [s.name, s.dependsOn.map((d) => d.service)]));
  for (const cycle of findDependencyCycles(graph, services.map((s) => s.name))) {
    r.error(keyPos(cycle[0]!, 'depends_on'), `services.${cycle[0]}.depends_on`, `dependency cycle: ${cycle.join(' -> ')}`);
  }
  const owners = new Map<string, string>();
  for (const service of services) {
    for (const port of service.ports) {
      if (port.published === undefined || port.mode !== 'ingress') continue;
      const key = `${port.published}/${port.protocol}`;
      const owner = owners.get(key);
      if (owner === undefined) owners.set(key, service.name);
      else r.error(keyPos(service.name, 'ports'), `services.${service.name}.ports`, `published port ${key} is already published by service "${owner}"`);
    }
  }
}
