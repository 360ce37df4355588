import { SwarmError } from '../core/errors.js';
import { parseEnvFile } from './env-file.js';
import type { VariableLookup } from './interpolate.js';
import { interpolateTree } from './interpolate-tree.js';
import { dnsLabelError, serviceFullName, serviceFullNameLengthMax } from './names.js';
import { readNetworks, readVolumes } from './parse-resources.js';
import { readService } from './parse-service.js';
import { checkAcrossServices } from './stack-checks.js';
import { dirnameOf } from './posix-path.js';
import { child, describe, readFields, type Fields } from './read-values.js';
import { formatProblem, Reporter, sortProblems } from './reporter.js';
import type { ServiceSpec } from './service-spec.js';
import type { NetworkSpec, StackSpec } from './stack-spec.js';
import { readYamlTree, type YMap } from './yaml-tree.js';

/** What `parseStack` needs. The caller reads every file, so parsing stays pure. */
export interface ParseStackInput {
  /** The stack file's path as the user gave it; problems are reported against it. */
  fileName: string;
  text: string;
  /** The name from `stack deploy <name>`; it prefixes every service, network and volume. */
  stackName: string;
  /** The shell environment; it wins over `.env` in interpolation. */
  env: Readonly<Record<string, string | undefined>>;
  /** Contents of the `.env` file beside the stack file, if there is one. */
  dotEnv?: string;
  /**
   * Folder that relative bind mounts and `env_file` paths are resolved against. Defaults
   * to the folder of `fileName`; the CLI passes it absolute so bind sources are absolute.
   */
  baseDir?: string;
  /** Reads an `env_file`; undefined when the file cannot be read. */
  readFile: (path: string) => string | undefined;
}

/** A valid stack and what was ignored or guessed on the way, formatted like problems. */
export interface ParsedStack {
  stack: StackSpec;
  warnings: string[];
}

const topLevelKeys = {
  known: ['version', 'services', 'networks', 'volumes'],
  ignored: ['name'],
  refused: {
    secrets: 'swarmts has no secret store yet; use environment or a read-only bind mount',
    configs: 'swarmts has no config store yet; use a read-only bind mount',
  },
};

/**
 * Parses and validates a compose v3 stack file. Throws one SwarmError STACK_INVALID whose
 * message has one line per problem in the file, in file order, and whose
 * `details.problems` holds them as StackProblem objects; `details.warnings` likewise.
 * A stack name that is not a DNS label is an INVALID_ARGUMENT: it comes from the command line.
 */
export function parseStack(input: ParseStackInput): ParsedStack {
  const nameProblem = dnsLabelError(input.stackName);
  if (nameProblem !== undefined) throw new SwarmError('INVALID_ARGUMENT', `stack name: ${nameProblem}`);
  const r = new Reporter(input.fileName);
  const stack = readStack(input, r);
  const problems = sortProblems(r.problems);
  const warnings = sortProblems(r.warnings);
  if (problems.length > 0 || stack === undefined) {
    throw new SwarmError('STACK_INVALID', problems.map(formatProblem).join('\n'), { details: { problems, warnings } });
  }
  return { stack, warnings: warnings.map(formatProblem) };
}

function readStack(input: ParseStackInput, r: Reporter): StackSpec | undefined {
  const { root, problems } = readYamlTree(input.text);
  for (const problem of problems) r.error(problem.pos, '', problem.message);
  if (problems.length > 0) return undefined;
  if (root === undefined || root.kind !== 'map') {
    r.error(root?.pos ?? { line: 1, column: 1 }, '', `expected a mapping with a services key, got ${root === undefined ? 'an empty file' : describe(root)}`);
    return undefined;
  }
  const dotEnv = readDotEnv(input.dotEnv, r);
  const lookup: VariableLookup = (name) => input.env[name] ?? dotEnv[name];
  const fields = readFields(interpolateTree(root, '', lookup, r), '', r, topLevelKeys) as Fields;
  checkVersion(fields, r);
  const networksNode = fields.present('networks');
  const volumesNode = fields.present('volumes');
  const networks = networksNode === undefined ? {} : readNetworks(networksNode, 'networks', r);
  const volumes = volumesNode === undefined ? {} : readVolumes(volumesNode, 'volumes', r);
  const servicesNode = fields.present('services');
  const hasService = servicesNode?.kind === 'map' && servicesNode.entries.some((e) => !e.key.startsWith('x-'));
  if (servicesNode === undefined || servicesNode.kind !== 'map' || !hasService) {
    const found = servicesNode === undefined ? 'nothing' : servicesNode.kind === 'map' ? 'no services' : describe(servicesNode);
    r.error(servicesNode?.pos ?? fields.keyPos('services'), 'services', `expected a mapping of service names to services, got ${found}`);
    return undefined;
  }
  const services = readServices(servicesNode, input, lookup, r, { networks: new Set(Object.keys(networks)), volumes: new Set(Object.keys(volumes)) });
  checkAcrossServices(services, servicesNode, r);
  if (services.some((s) => s.networks.includes('default')) && networks.default === undefined) networks.default = defaultNetwork();
  return { name: input.stackName, services, networks, volumes };
}

/** `.env` problems are reported against the `.env` file itself. */
function readDotEnv(text: string | undefined, r: Reporter): Record<string, string> {
  const vars: Record<string, string> = {};
  if (text === undefined) return vars;
  const parsed = parseEnvFile(text);
  for (const err of parsed.errors) r.problems.push({ file: '.env', line: err.line, column: 1, path: '', message: err.message });
  for (const entry of parsed.entries) if (entry.value !== undefined) vars[entry.key] = entry.value;
  return vars;
}

/** Any 3.x is accepted; older formats mean different keys (2.x's `mem_limit`), so they are refused. */
function checkVersion(fields: Fields, r: Reporter): void {
  const node = fields.present('version');
  if (node === undefined) return;
  const text = node.kind === 'scalar' && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : undefined;
  if (text !== undefined && /^3(\.\d+)?$/.test(text)) return;
  r.error(node.pos, 'version', `expected a compose file version 3.x such as "3.8" (or no version), got ${describe(node)}`);
}

function readServices(node: YMap, input: ParseStackInput, lookupVariable: VariableLookup, r: Reporter, declared: { networks: Set<string>; volumes: Set<string> }): ServiceSpec[] {
  const names = node.entries.map((entry) => entry.key);
  const baseDir = input.baseDir ?? dirnameOf(input.fileName);
  const out: ServiceSpec[] = [];
  for (const entry of node.entries) {
    if (entry.key.startsWith('x-')) continue;
    const path = child('services', entry.key);
    const nameProblem = dnsLabelError(entry.key);
    if (nameProblem !== undefined) r.error(entry.keyPos, path, `service name ${nameProblem}`);
    else if (serviceFullName(input.stackName, entry.key).length > serviceFullNameLengthMax) {
      r.error(entry.keyPos, path, `expected stack and service names of at most ${serviceFullNameLengthMax} characters together, got "${serviceFullName(input.stackName, entry.key)}"`);
    }
    const spec = readService(entry.value, {
      r,
      stack: input.stackName,
      service: entry.key,
      path,
      baseDir,
      networks: declared.networks,
      volumes: declared.volumes,
      services: names.filter((name) => !name.startsWith('x-')),
      lookupVariable,
      readFile: input.readFile,
    });
    if (spec !== undefined) out.push(spec);
  }
  return out;
}

/** The network services join when they name none, created as `<stack>_default`. */
function defaultNetwork(): NetworkSpec {
  return { name: 'default', driver: 'overlay', external: false, externalName: undefined, attachable: false, labels: {} };
}
