import type { NetworkSpec, VolumeSpec } from './stack-spec.js';
import { isObjectName } from './names.js';
import { child, describe, readBool, readChoice, readFields, readLabels, readString, type Fields } from './read-values.js';
import type { Reporter } from './reporter.js';
import type { YNode } from './yaml-tree.js';

/** The top-level `networks` and `volumes` declarations of a stack. */

/** Reads top-level `networks`; every stack network is an overlay network. */
export function readNetworks(node: YNode, path: string, r: Reporter): Record<string, NetworkSpec> {
  return readDeclarations(node, path, r, (name, fields) => {
    const spec: NetworkSpec = { name, driver: 'overlay', external: false, externalName: undefined, attachable: false, labels: {} };
    if (fields === undefined) return spec;
    const driver = fields.present('driver');
    if (driver !== undefined) spec.driver = readChoice(driver, fields.at('driver'), r, ['overlay']) ?? 'overlay';
    const attachable = fields.present('attachable');
    spec.attachable = (attachable && readBool(attachable, fields.at('attachable'), r)) ?? false;
    readCommon(spec, fields, r, 'network');
    return spec;
  }, {
    known: ['driver', 'external', 'labels', 'attachable', 'name'],
    ignored: ['driver_opts', 'ipam', 'enable_ipv6'],
    refused: { internal: 'internal networks are not supported yet, and ignoring it would silently let the services reach outside' },
  });
}

/** Reads top-level `volumes`; volumes are local to the node a task runs on. */
export function readVolumes(node: YNode, path: string, r: Reporter): Record<string, VolumeSpec> {
  return readDeclarations(node, path, r, (name, fields) => {
    const spec: VolumeSpec = { name, driver: 'local', external: false, externalName: undefined, labels: {} };
    if (fields === undefined) return spec;
    const driver = fields.present('driver');
    if (driver !== undefined) spec.driver = readChoice(driver, fields.at('driver'), r, ['local']) ?? 'local';
    readCommon(spec, fields, r, 'volume');
    return spec;
  }, {
    known: ['driver', 'external', 'labels', 'name'],
    refused: { driver_opts: 'only plain local volumes are supported' },
  });
}

function readDeclarations<T>(
  node: YNode, path: string, r: Reporter, build: (name: string, fields: Fields | undefined) => T,
  schema: Parameters<typeof readFields>[3],
): Record<string, T> {
  const out: Record<string, T> = {};
  if (node.kind === 'scalar' && node.value === null) return out;
  if (node.kind !== 'map') {
    r.error(node.pos, path, `expected a mapping of names to options, got ${describe(node)}`);
    return out;
  }
  for (const entry of node.entries) {
    if (entry.key.startsWith('x-')) continue;
    const at = child(path, entry.key);
    if (!isObjectName(entry.key)) r.error(entry.keyPos, at, `expected a name of letters, digits, "_", "." and "-", got "${entry.key}"`);
    const isNull = entry.value.kind === 'scalar' && entry.value.value === null;
    const fields = isNull ? undefined : readFields(entry.value, at, r, schema);
    if (isNull || fields !== undefined) out[entry.key] = build(entry.key, fields);
  }
  return out;
}

/**
 * `external` (true, or the legacy { name }), `name` and `labels`, shared by networks and
 * volumes. An external one already exists as it is, so options that would shape it are errors.
 */
function readCommon(spec: NetworkSpec | VolumeSpec, fields: Fields, r: Reporter, kind: 'network' | 'volume'): void {
  const external = fields.present('external');
  if (external?.kind === 'map') {
    const legacy = readFields(external, fields.at('external'), r, { known: ['name'] });
    const name = legacy?.present('name');
    spec.external = true;
    spec.externalName = (name && readString(name, legacy!.at('name'), r)) ?? spec.name;
  } else if (external !== undefined) {
    spec.external = readBool(external, fields.at('external'), r) ?? false;
  }
  const name = fields.present('name');
  const explicit = name && readString(name, fields.at('name'), r);
  if (spec.external) spec.externalName = explicit ?? spec.externalName ?? spec.name;
  else if (explicit !== undefined) r.error(name!.pos, fields.at('name'), 'expected name only with external: true; stack networks and volumes are named <stack>_<key>');
  const labels = fields.present('labels');
  if (labels !== undefined) spec.labels = readLabels(labels, fields.at('labels'), r);
  if (!spec.external) return;
  for (const key of ['driver', 'attachable', 'labels']) {
    if (fields.get(key) !== undefined) r.error(fields.keyPos(key), fields.at(key), `expected no ${key} with external: true (an external ${kind} is used as it is)`);
  }
}
