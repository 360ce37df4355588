import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import type { ImageSummary, ImportResponse, PullEvent } from '../../daemon/api-types.js';
import { clientFor, type GlobalOptions } from '../context.js';
import { forEachReference } from '../for-each-reference.js';
import { humanSize, table } from '../format.js';
import { formatOption } from '../options.js';
import { printJson } from '../print-listing.js';

/** `swarmts image pull|import|ls|rm`. */
export function imageCommand(globals: () => GlobalOptions): Command {
  const image = new Command('image').description('Manage images on this node')
    .addHelpText('after', '\nExamples:\n  swarmts image pull 127.0.0.1:5000/busybox:latest\n  swarmts image ls');

  image.command('pull <reference>')
    .description('Pull an image from a registry')
    .option('-q, --quiet', 'print only the image id')
    .addHelpText('after', '\nExamples:\n  swarmts image pull 127.0.0.1:5000/busybox:latest\n  swarmts image pull busybox@sha256:…')
    .action(async (reference: string, opts: { quiet?: boolean }) => {
      const summary = await pullWithProgress(globals(), reference, opts.quiet === true);
      process.stdout.write(opts.quiet ? `${summary.id}\n` : `Pulled ${reference} (${summary.id.slice(0, 19)})\n`);
    });

  image.command('import <archive>')
    .description('Import an OCI image layout tar or a `docker save` tarball')
    .option('-r, --reference <name>', 'name for the imported image (default: the names in the archive)')
    .addHelpText('after', '\nExamples:\n  swarmts image import busybox-oci.tar --reference busybox:latest\n  docker save nginx | ssh node swarmts image import /dev/stdin')
    .action(async (archive: string, opts: { reference?: string }) => {
      const query = opts.reference ? `?reference=${encodeURIComponent(opts.reference)}` : '';
      const result = await clientFor(globals()).upload<ImportResponse>(`/v1/images/import${query}`, createReadStream(archive));
      for (const img of result.images) process.stdout.write(`Loaded image: ${img.references.join(', ') || img.id}\n`);
    });

  image.command('ls').alias('list')
    .description('List images')
    .option('-q, --quiet', 'print only image ids')
    .addOption(formatOption())
    .addHelpText('after', '\nExamples:\n  swarmts image ls\n  swarmts image ls --format json | jq -r \'.[].references[]\'')
    .action(async (opts: { quiet?: boolean; format: string }) => {
      const images = await clientFor(globals()).call<ImageSummary[]>('GET', '/v1/images');
      if (opts.format === 'json') return printJson(images);
      if (opts.quiet) return void process.stdout.write(images.map((i) => shortImageId(i.id) + '\n').join(''));
      const rows = images.flatMap((i) => (i.references.length > 0 ? i.references : ['<none>:<none>']).map((ref) => {
        const [repo, tag] = splitReference(ref);
        return [repo, tag, shortImageId(i.id), humanSize(i.sizeBytes)];
      }));
      process.stdout.write(table(['REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], rows) + '\n');
    });

  image.command('rm <reference...>').alias('remove')
    .description('Remove images')
    .option('-f, --force', 'remove even if a container uses it')
    .addHelpText('after', '\nExamples:\n  swarmts image rm busybox:latest\n  swarmts image rm -f $(swarmts image ls -q)')
    .action(async (references: string[], opts: { force?: boolean }) => {
      const client = clientFor(globals());
      await forEachReference(references, async (ref) => {
        await client.call('DELETE', `/v1/images/${encodeURIComponent(ref)}${opts.force ? '?force=1' : ''}`);
        process.stdout.write(`Deleted: ${ref}\n`);
      });
    });
  return image;
}

/** Pulls through the daemon, drawing one progress line per layer on a terminal. */
export async function pullWithProgress(globals: GlobalOptions, reference: string, quiet: boolean): Promise<ImageSummary> {
  const showProgress = !quiet && process.stderr.isTTY;
  let summary: ImageSummary | undefined;
  for await (const event of clientFor(globals).stream<PullEvent>('POST', '/v1/images/pull', { reference })) {
    if (event.type === 'done') summary = event.image;
    else if (showProgress) process.stderr.write(`\r${event.layer.slice(7, 19)}: ${humanSize(event.doneBytes)}/${humanSize(event.totalBytes)}   `);
  }
  if (showProgress) process.stderr.write('\r\x1b[K');
  if (!summary) throw new Error(`the daemon ended the pull of ${reference} without a result`);
  return summary;
}

function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function splitReference(ref: string): [string, string] {
  const at = ref.indexOf('@');
  if (at >= 0) return [ref.slice(0, at), '<none>'];
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
}
