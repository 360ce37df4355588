import { SwarmError } from '../../core/errors.js';
import { isDigest } from './digest.js';

/**
 * Image references, normalised the way Docker does: `busybox` is
 * `docker.io/library/busybox:latest`, `127.0.0.1:5000/web` is `127.0.0.1:5000/web:latest`,
 * and `name@sha256:…` pins a manifest digest (a tag beside a digest is kept but not used).
 */

/** A parsed, normalised image reference. */
export interface ImageReference {
  /** `host[:port]` of the registry; `docker.io` for Docker Hub. */
  registry: string;
  /** The repository path inside the registry, e.g. `library/busybox`. */
  repository: string;
  /** The tag; `latest` when neither a tag nor a digest was given. */
  tag: string | undefined;
  /** The pinned manifest digest, when given. */
  digest: string | undefined;
}

/** The registry of references without a host. */
export const defaultRegistry = 'docker.io';

const componentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const hostPattern = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;
const nameBytesMax = 255;

function invalid(input: string, why: string): SwarmError {
  return new SwarmError('INVALID_ARGUMENT', `invalid image reference ${JSON.stringify(input)}: ${why}`, { details: { reference: input } });
}

/** Parses and normalises `input`; INVALID_ARGUMENT says which part is wrong and why. */
export function parseReference(input: string): ImageReference {
  if (input.length === 0) throw invalid(input, 'it is empty');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw invalid(input, `expected "@sha256:<64 lowercase hex>" after the name, got "@${digest}"`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw invalid(input, `tag "${tag}" must be 1-128 of [A-Za-z0-9_.-], not starting with "." or "-"`);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  let registry = hasHost ? first : defaultRegistry;
  let repository = hasHost ? rest.slice(slash + 1) : rest;
  if (hasHost && !hostPattern.test(registry)) throw invalid(input, `registry host "${registry}" is not a valid host[:port]`);
  if (registry === 'index.docker.io') registry = defaultRegistry;
  if (registry === defaultRegistry && !repository.includes('/')) repository = `library/${repository}`;
  if (repository.length === 0) throw invalid(input, 'the repository name is missing');
  for (const component of repository.split('/')) {
    if (!componentPattern.test(component)) {
      throw invalid(input, `repository component "${component}" must be lowercase letters and digits, separated by ".", "_", "__" or "-"`);
    }
  }
  if (registry.length + 1 + repository.length > nameBytesMax) throw invalid(input, `the name is longer than ${nameBytesMax} characters`);
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { registry, repository, tag, digest };
}

/** `registry/repository` without tag or digest. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The canonical text: `registry/repo:tag`, `registry/repo@digest`, or both. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** The short form people type: `busybox:latest` for Docker Hub's library images. */
export function familiarReference(ref: ImageReference): string {
  const name = ref.registry === defaultRegistry
    ? ref.repository.replace(/^library\//, '')
    : repositoryName(ref);
  return `${name}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** Normalises a reference string: `busybox` → `docker.io/library/busybox:latest`. */
export function normalizeReference(input: string): string {
  return formatReference(parseReference(input));
}
