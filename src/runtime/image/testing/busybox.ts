import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxImage } from '../busybox-image.js';
import type { BuiltImage } from '../build-layout.js';
import { pushLayout, type PushResult } from '../push.js';
import { defaultRegistryConfig, type RegistryConfig } from '../registry-config.js';

/**
 * The busybox test image for tests of any part: built once per test process as an OCI
 * layout in a temp dir (deleted when the process exits), and pushed to test registries.
 */

let cached: Promise<{ layoutDir: string; built: BuiltImage }> | undefined;

/** The busybox OCI layout of this process, built on first use. */
export function busyboxLayout(): Promise<{ layoutDir: string; built: BuiltImage }> {
  cached ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'swarmts-busybox-layout-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const layoutDir = join(dir, 'layout');
    return { layoutDir, built: await buildBusyboxImage({ outDir: layoutDir }) };
  })();
  return cached;
}

/** Pushes busybox to `registryHost` as `repository:tag` (default `busybox:latest`). */
export async function pushBusybox(registryHost: string, options: { repository?: string; config?: RegistryConfig } = {}): Promise<PushResult & { reference: string }> {
  const { layoutDir } = await busyboxLayout();
  const reference = `${registryHost}/${options.repository ?? 'busybox:latest'}`;
  return { ...(await pushLayout(layoutDir, reference, { config: options.config ?? defaultRegistryConfig() })), reference };
}
