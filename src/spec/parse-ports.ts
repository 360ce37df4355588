import type { PortSpec } from './service-spec.js';
import { child, describe, readChoice, readFields, readInt, type KeySchema } from './read-values.js';
import type { Reporter } from './reporter.js';
import type { YNode } from './yaml-tree.js';

/** Service `ports`: short strings ("8080:80/udp", "8000-8002:80-82", "80") and long mappings. */

const portMax = 65_535;
const protocols = ['tcp', 'udp'] as const;
const modes = ['ingress', 'host'] as const;
const shortForms = 'a port like "8080:80", "8080:80/udp", "80" or "8000-8002:80-82"';
const hostIpRefusal = 'binding to a host IP is not supported in swarm mode; published ports listen on every node';

const longSchema: KeySchema = {
  known: ['target', 'published', 'protocol', 'mode'],
  ignored: ['name', 'app_protocol'],
  refused: { host_ip: hostIpRefusal },
};

/** Reads the `ports` list; every bad entry is reported and skipped. */
export function readPorts(node: YNode, path: string, r: Reporter): PortSpec[] {
  if (node.kind !== 'seq') {
    r.error(node.pos, path, `expected a list of ports, got ${describe(node)}`);
    return [];
  }
  return node.items.flatMap((item, i) => (item.kind === 'map' ? readLongPort(item, child(path, i), r) : readShortPort(item, child(path, i), r)));
}

function readLongPort(node: YNode, path: string, r: Reporter): PortSpec[] {
  const fields = readFields(node, path, r, longSchema);
  if (fields === undefined) return [];
  const targetNode = fields.required('target', r);
  if (targetNode === undefined) return [];
  const target = readInt(targetNode, fields.at('target'), r, 1, portMax);
  const publishedNode = fields.present('published');
  const published = publishedNode === undefined ? undefined : readInt(publishedNode, fields.at('published'), r, 1, portMax);
  const protocolNode = fields.present('protocol');
  const modeNode = fields.present('mode');
  const protocol = protocolNode === undefined ? 'tcp' : readChoice(protocolNode, fields.at('protocol'), r, protocols);
  const mode = modeNode === undefined ? 'ingress' : readChoice(modeNode, fields.at('mode'), r, modes);
  if (target === undefined || protocol === undefined || mode === undefined) return [];
  if (publishedNode !== undefined && published === undefined) return [];
  return [{ target, published, protocol, mode }];
}

/** A port or a range "a-b" as [first, last], or undefined when malformed. */
function portRange(text: string): [number, number] | undefined {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!match) return undefined;
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  return first >= 1 && last <= portMax && first <= last ? [first, last] : undefined;
}

function readShortPort(node: YNode, path: string, r: Reporter): PortSpec[] {
  const text = node.kind === 'scalar' && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value).trim() : undefined;
  if (text === undefined) {
    r.error(node.pos, path, `expected ${shortForms}, got ${describe(node)}`);
    return [];
  }
  const [body = '', protocol = 'tcp', ...extra] = text.split('/');
  const parts = body.split(':');
  if (parts.length > 2) {
    r.error(node.pos, path, `${hostIpRefusal}, got "${text}"; write "${parts.slice(-2).join(':')}"`);
    return [];
  }
  if (extra.length > 0 || !protocols.includes(protocol as 'tcp')) {
    r.error(node.pos, path, `expected protocol tcp or udp, got "${text}"`);
    return [];
  }
  const target = portRange(parts[parts.length - 1]!);
  const published = parts.length === 2 ? portRange(parts[0]!) : undefined;
  if (target === undefined || (parts.length === 2 && published === undefined)) {
    r.error(node.pos, path, `expected ${shortForms} with ports from 1 to ${portMax}, got "${text}"`);
    return [];
  }
  const count = target[1] - target[0] + 1;
  if (published !== undefined && published[1] - published[0] + 1 !== count) {
    r.error(node.pos, path, `expected published and target ranges of the same length, got "${text}"`);
    return [];
  }
  return Array.from({ length: count }, (_, i) => ({
    target: target[0] + i,
    published: published === undefined ? undefined : published[0] + i,
    protocol: protocol as 'tcp' | 'udp',
    mode: 'ingress' as const,
  }));
}
