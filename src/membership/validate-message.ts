import { SwarmError } from '../core/errors.js';
import {
  membershipProtocolVersion,
  type MemberState,
  type MemberUpdate,
  type MembershipMessage,
} from './messages.js';
import type { MemberStatus, NodeMeta, NodeRole } from './types.js';

/** Limits on what a peer may send us: anything larger is refused, not truncated. */
export const membershipMessageLimits = {
  /** Longest peer id; libp2p's are about 52 characters. */
  idCharsMax: 128,
  /** Longest multiaddr, label key or value, or version string. */
  textCharsMax: 512,
  /** Longest admission certificate (an Ed25519-signed msgpack record, about 200 characters). */
  admissionCharsMax: 2048,
  /** Most addresses one node announces. */
  addressesMax: 32,
  /** Most labels or versions one node announces. */
  entriesMax: 64,
  /** Most updates on one message (our own senders stay far below: updatesPerMessageMax). */
  updatesMax: 256,
  /** Most members in one push-pull: a cluster far larger than we aim to run. */
  membersMax: 20_000,
} as const;

const statuses: readonly MemberStatus[] = ['alive', 'suspect', 'dead', 'left'];
const roles: readonly NodeRole[] = ['manager', 'worker'];

/** A malformed input, with the path to the offending field. */
function malformed(path: string, expected: string, got: unknown): SwarmError {
  const shown = typeof got === 'string' ? JSON.stringify(got.slice(0, 40)) : Array.isArray(got) ? 'an array' : got === null ? 'null' : typeof got;
  return new SwarmError('MALFORMED_MESSAGE', `membership message ${path}: expected ${expected}, got ${shown}`, {
    details: { path, expected },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) throw malformed(path, 'an object', value);
  return value;
}

function text(value: unknown, path: string, charsMax: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > charsMax) {
    throw malformed(path, `a non-empty string of at most ${charsMax} characters`, value);
  }
  return value;
}

function counter(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw malformed(path, 'a non-negative safe integer', value);
  }
  return value;
}

function list(value: unknown, path: string, lengthMax: number): unknown[] {
  if (!Array.isArray(value) || value.length > lengthMax) throw malformed(path, `an array of at most ${lengthMax} items`, value);
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw malformed(path, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

function stringMap(value: unknown, path: string): Record<string, string> {
  const input = record(value, path);
  const keys = Object.keys(input);
  if (keys.length > membershipMessageLimits.entriesMax) {
    throw malformed(path, `at most ${membershipMessageLimits.entriesMax} entries`, value);
  }
  const entries = keys.map((key): [string, string] => {
    text(key, `${path} key`, membershipMessageLimits.textCharsMax);
    const entry = input[key];
    if (typeof entry !== 'string' || entry.length > membershipMessageLimits.textCharsMax) {
      throw malformed(`${path}.${key}`, `a string of at most ${membershipMessageLimits.textCharsMax} characters`, entry);
    }
    return [key, entry];
  });
  // fromEntries defines own properties, so a "__proto__" key stays data, never a prototype.
  return Object.fromEntries(entries);
}

function admission(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length > membershipMessageLimits.admissionCharsMax) {
    throw malformed(path, `a string of at most ${membershipMessageLimits.admissionCharsMax} characters`, value);
  }
  return value;
}

function nodeMeta(value: unknown, path: string): NodeMeta {
  const input = record(value, path);
  const capacity = record(input['capacity'], `${path}.capacity`);
  return {
    id: text(input['id'], `${path}.id`, membershipMessageLimits.idCharsMax),
    name: text(input['name'], `${path}.name`, membershipMessageLimits.textCharsMax),
    addresses: list(input['addresses'], `${path}.addresses`, membershipMessageLimits.addressesMax).map((address, i) =>
      text(address, `${path}.addresses[${i}]`, membershipMessageLimits.textCharsMax),
    ),
    role: oneOf(input['role'], `${path}.role`, roles),
    labels: stringMap(input['labels'], `${path}.labels`),
    capacity: {
      cpuMillicores: counter(capacity['cpuMillicores'], `${path}.capacity.cpuMillicores`),
      memoryBytes: counter(capacity['memoryBytes'], `${path}.capacity.memoryBytes`),
    },
    versions: stringMap(input['versions'], `${path}.versions`),
    admission: admission(input['admission'], `${path}.admission`),
  };
}

function memberUpdate(value: unknown, path: string): MemberUpdate {
  const input = record(value, path);
  const kind = oneOf(input['kind'], `${path}.kind`, ['alive', 'suspect', 'dead'] as const);
  const incarnation = counter(input['incarnation'], `${path}.incarnation`);
  if (kind === 'alive') return { kind, incarnation, meta: nodeMeta(input['meta'], `${path}.meta`) };
  return {
    kind,
    id: text(input['id'], `${path}.id`, membershipMessageLimits.idCharsMax),
    incarnation,
    from: text(input['from'], `${path}.from`, membershipMessageLimits.idCharsMax),
  };
}

function memberState(value: unknown, path: string): MemberState {
  const input = record(value, path);
  return {
    meta: nodeMeta(input['meta'], `${path}.meta`),
    incarnation: counter(input['incarnation'], `${path}.incarnation`),
    status: oneOf(input['status'], `${path}.status`, statuses),
  };
}

function updates(value: unknown): MemberUpdate[] {
  return list(value, 'updates', membershipMessageLimits.updatesMax).map((u, i) => memberUpdate(u, `updates[${i}]`));
}

function parse(input: Record<string, unknown>): MembershipMessage {
  const v = membershipProtocolVersion;
  const type = oneOf(input['type'], 'type', ['ping', 'ack', 'nack', 'ping-req', 'gossip', 'push-pull'] as const);
  switch (type) {
    case 'ping':
    case 'ping-req':
      return {
        v,
        type,
        seq: counter(input['seq'], 'seq'),
        target: text(input['target'], 'target', membershipMessageLimits.idCharsMax),
        updates: updates(input['updates']),
      };
    case 'ack':
      return { v, type, seq: counter(input['seq'], 'seq'), updates: updates(input['updates']) };
    case 'nack':
      return { v, type, seq: counter(input['seq'], 'seq') };
    case 'gossip':
      return { v, type, updates: updates(input['updates']) };
    case 'push-pull': {
      if (typeof input['reply'] !== 'boolean') throw malformed('reply', 'a boolean', input['reply']);
      const members = list(input['members'], 'members', membershipMessageLimits.membersMax);
      return { v, type, reply: input['reply'], members: members.map((m, i) => memberState(m, `members[${i}]`)) };
    }
  }
}

/**
 * Checks a decoded value from the network and returns it as a typed message, copied so
 * that nothing unexpected (extra fields, prototypes) reaches the state machine. Throws
 * SwarmError UNSUPPORTED_VERSION for another protocol version and MALFORMED_MESSAGE for
 * anything else wrong; it never throws anything else, whatever the input.
 */
export function validateMembershipMessage(input: unknown): MembershipMessage {
  try {
    const message = record(input, 'message');
    if (message['v'] !== membershipProtocolVersion) {
      if (typeof message['v'] === 'number') {
        throw new SwarmError(
          'UNSUPPORTED_VERSION',
          `membership protocol version ${message['v']} is not supported; this node speaks version ${membershipProtocolVersion}`,
          { details: { got: message['v'], supported: membershipProtocolVersion } },
        );
      }
      throw malformed('v', 'the protocol version number', message['v']);
    }
    return parse(message);
  } catch (err) {
    if (err instanceof SwarmError) throw err;
    // Hostile input (a throwing getter, a revoked proxy) must not surface as another error.
    throw new SwarmError('MALFORMED_MESSAGE', 'membership message could not be read', { cause: err });
  }
}
