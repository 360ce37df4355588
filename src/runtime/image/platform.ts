import { SwarmError } from '../../core/errors.js';
import type { Descriptor, IndexManifest, Platform } from './manifest.js';

/** The OCI platform of this machine: Node's arch names mapped to Go's, as registries use. */
export function hostPlatform(arch: string = process.arch): Platform {
  switch (arch) {
    case 'x64': return { os: 'linux', architecture: 'amd64', variant: undefined };
    case 'arm64': return { os: 'linux', architecture: 'arm64', variant: 'v8' };
    case 'arm': return { os: 'linux', architecture: 'arm', variant: 'v7' };
    case 'ia32': return { os: 'linux', architecture: '386', variant: undefined };
    default: return { os: 'linux', architecture: arch, variant: undefined };
  }
}

/** The variant an architecture has when an index entry names none (arm64 is v8 unless said otherwise). */
function normalVariant(p: Platform): string | undefined {
  if (p.variant !== undefined) return p.variant;
  if (p.architecture === 'arm64') return 'v8';
  return undefined;
}

function describe(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/**
 * The entry of an index for platform `wanted`: same os and architecture, and the same
 * variant when both name one (an entry without a variant fits any). Entries with an exact
 * variant win over ones without. IMAGE_NOT_FOUND lists what the index offers instead.
 */
export function selectManifest(index: IndexManifest, wanted: Platform, what: string): Descriptor {
  const candidates = index.manifests.filter((m) => m.platform && m.platform.os === wanted.os && m.platform.architecture === wanted.architecture);
  const wantedVariant = normalVariant(wanted);
  const exact = candidates.find((m) => wantedVariant !== undefined && normalVariant(m.platform!) === wantedVariant);
  const loose = candidates.find((m) => wantedVariant === undefined || normalVariant(m.platform!) === undefined);
  const chosen = exact ?? loose;
  if (!chosen) {
    const offered = index.manifests.map((m) => describe(m.platform)).filter((p) => p !== 'unknown/unknown');
    throw new SwarmError('IMAGE_NOT_FOUND', `${what} has no image for ${describe(wanted)}; it offers ${offered.join(', ') || 'no platforms'}`, {
      details: { platform: describe(wanted), offered },
    });
  }
  return chosen;
}
