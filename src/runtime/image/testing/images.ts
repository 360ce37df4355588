import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildImageLayout, type BuildImageOptions, type BuiltImage } from '../build-layout.js';

/**
 * Small test images from file specs. A layer is a map of paths to contents: a string is a
 * file, `{ dir: true }` a directory, `{ symlink }` a link; paths named `.wh.NAME` or
 * `.wh..wh..opq` are OCI whiteouts, exactly as image builders write them.
 */
export type FileSpec = string | { dir: true; mode?: number } | { symlink: string } | { content: string; mode: number };

export type LayerSpec = Record<string, FileSpec>;

async function writeLayer(dir: string, spec: LayerSpec): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  for (const [path, file] of Object.entries(spec)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    if (typeof file === 'string') await writeFile(target, file);
    else if ('dir' in file) {
      await mkdir(target, { recursive: true });
      if (file.mode !== undefined) await chmod(target, file.mode);
    } else if ('symlink' in file) await symlink(file.symlink, target);
    else {
      await writeFile(target, file.content);
      await chmod(target, file.mode);
    }
  }
}

/** Builds an image of `layers` (bottom first) into the OCI layout `outDir`. */
export async function buildTestImage(outDir: string, layers: LayerSpec[], options: Omit<BuildImageOptions, 'outDir' | 'layers'> = {}): Promise<BuiltImage> {
  const staging = await mkdtemp(join(tmpdir(), 'swarmts-test-image-'));
  try {
    const sources = [];
    for (const [i, spec] of layers.entries()) {
      const dir = join(staging, String(i));
      await writeLayer(dir, spec);
      sources.push({ dir });
    }
    return await buildImageLayout({ ...options, outDir, layers: sources, mtime: 'epoch' });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
