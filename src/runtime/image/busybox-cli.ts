/**
 * `scripts/build-busybox-image.sh OUT_DIR [--tar FILE] [--reference NAME] [--push HOST/REPO:TAG]`:
 * builds the busybox test image as an OCI layout in OUT_DIR, also as a tar (default
 * OUT_DIR.tar, which `swarmts image import` reads), and optionally pushes it to a registry,
 * with the credentials in REGISTRY_USER and REGISTRY_PASSWORD when they are set.
 */
import { rm } from 'node:fs/promises';
import { buildBusyboxImage } from './busybox-image.js';
import { run } from '../../core/run-command.js';
import { pushLayout } from './push.js';
import { parseReference } from './reference.js';
import { defaultRegistryConfig, type RegistryConfig } from './registry-config.js';

interface CliArgs {
  outDir: string;
  tarPath: string;
  reference: string;
  push: string | undefined;
}

function parseArgs(argv: string[]): CliArgs {
  const usage = 'usage: build-busybox-image.sh OUT_DIR [--tar FILE] [--reference NAME] [--push HOST/REPO:TAG]';
  let outDir: string | undefined;
  let tarPath: string | undefined;
  let reference = 'busybox:latest';
  let push: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${usage}`);
      return v;
    };
    if (arg === '--tar') tarPath = value();
    else if (arg === '--reference') reference = value();
    else if (arg === '--push') push = value();
    else if (arg.startsWith('-') || outDir !== undefined) throw new Error(`unexpected argument ${arg}\n${usage}`);
    else outDir = arg.replace(/\/+$/, '');
  }
  if (outDir === undefined) throw new Error(usage);
  return { outDir, tarPath: tarPath ?? `${outDir}.tar`, reference, push };
}

function pushConfig(target: string): RegistryConfig {
  const config = defaultRegistryConfig();
  const username = process.env['REGISTRY_USER'];
  const password = process.env['REGISTRY_PASSWORD'];
  if (username !== undefined && password !== undefined) config.credentials[parseReference(target).registry] = { username, password };
  return config;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // Rebuilt from scratch each time, so a changed busybox replaces the old image instead of joining it.
  await rm(args.outDir, { recursive: true, force: true });
  const built = await buildBusyboxImage({ outDir: args.outDir, reference: args.reference });
  await run('tar', ['-c', '-f', args.tarPath, '-C', args.outDir, '.'], { what: `writing ${args.tarPath}` });
  process.stdout.write(`busybox image ${built.manifestDigest} in ${args.outDir} and ${args.tarPath}\n`);
  if (args.push !== undefined) {
    const pushed = await pushLayout(args.outDir, args.push, { config: pushConfig(args.push) });
    process.stdout.write(`pushed to ${args.push} (${pushed.blobsUploaded} blobs uploaded, ${pushed.blobsSkipped} already there)\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`build-busybox-image: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
