import type { DependsOnCondition, DependsOnSpec } from './service-spec.js';
import { child, describe, readChoice, readFields, readString } from './read-values.js';
import type { ServiceContext } from './service-context.js';
import { closestMatch } from './suggest.js';
import type { SourcePos, YNode } from './yaml-tree.js';

/** `depends_on`: reading the list and mapping forms, and finding dependency cycles. */

const conditions: readonly DependsOnCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

/** Reads `depends_on`; names must be other services of the stack. */
export function readDependsOn(node: YNode, path: string, ctx: ServiceContext): DependsOnSpec[] {
  const out: DependsOnSpec[] = [];
  const add = (service: string, condition: DependsOnCondition, pos: SourcePos, at: string) => {
    if (ctx.services.includes(service)) out.push({ service, condition });
    else ctx.r.error(pos, at, unknownServiceMessage(service, ctx.services.filter((name) => name !== ctx.service)));
  };
  if (node.kind === 'seq') {
    node.items.forEach((item, i) => {
      const name = readString(item, child(path, i), ctx.r);
      if (name !== undefined) add(name, 'service_started', item.pos, child(path, i));
    });
  } else if (node.kind === 'map') {
    for (const entry of node.entries) {
      const at = child(path, entry.key);
      const isNull = entry.value.kind === 'scalar' && entry.value.value === null;
      const fields = isNull ? undefined : readFields(entry.value, at, ctx.r, { known: ['condition'], ignored: ['restart', 'required'] });
      const conditionNode = fields?.present('condition');
      const condition = conditionNode === undefined ? 'service_started' : readChoice(conditionNode, fields!.at('condition'), ctx.r, conditions);
      if (condition !== undefined) add(entry.key, condition, entry.keyPos, at);
    }
  } else {
    ctx.r.error(node.pos, path, `expected a list of service names or a mapping of service to { condition }, got ${describe(node)}`);
  }
  return out;
}

function unknownServiceMessage(name: string, services: readonly string[]): string {
  const match = closestMatch(name, services);
  if (match !== undefined) return `unknown service "${name}", did you mean "${match}"?`;
  if (services.length === 0) return `unknown service "${name}"; the stack has no other services`;
  return `unknown service "${name}", expected one of ${services.join(', ')}`;
}

/**
 * Every dependency cycle, each once, as the list of services around it starting from the
 * one that comes first in `order` (file order) and ending where it began: [a, b, a].
 */
export function findDependencyCycles(graph: ReadonlyMap<string, readonly string[]>, order: readonly string[]): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const rank = (name: string) => order.indexOf(name);
  for (const start of order) {
    // A cycle is reported from its earliest member, so walks only visit later services.
    const walk = (node: string, trail: string[]): void => {
      for (const next of graph.get(node) ?? []) {
        if (next === start) {
          const cycle = [...trail, start];
          const key = cycle.join('>');
          if (!seen.has(key)) {
            seen.add(key);
            cycles.push(cycle);
          }
        } else if (rank(next) > rank(start) && !trail.includes(next)) {
          walk(next, [...trail, next]);
        }
      }
    };
    walk(start, [start]);
  }
  return cycles;
}
