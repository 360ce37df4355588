import type { MountSpec, MountType } from './service-spec.js';
import { resolvePath } from './posix-path.js';
import { child, describe, readBool, readBytes, readChoice, readFields, readString, readStringList } from './read-values.js';
import type { ServiceContext } from './service-context.js';
import { didYouMean } from './suggest.js';
import { templateError } from './template.js';
import type { SourcePos, YNode } from './yaml-tree.js';

/** Service `volumes` (short "src:dst:ro" and long mappings) and `tmpfs`, as mounts. */

const mountTypes = ['bind', 'volume', 'tmpfs'] as const;
const shortForms = '"/host/path:/target[:ro]", "./relative:/target", "volume-name:/target" or "/target"';

/** Reads the `volumes` list; bad entries are reported and skipped. */
export function readVolumeMounts(node: YNode, path: string, ctx: ServiceContext): MountSpec[] {
  if (node.kind !== 'seq') {
    ctx.r.error(node.pos, path, `expected a list of mounts, got ${describe(node)}`);
    return [];
  }
  return node.items.flatMap((item, i) => {
    const at = child(path, i);
    const mount = item.kind === 'map' ? readLongMount(item, at, ctx) : readShortMount(item, at, ctx);
    return mount === undefined ? [] : [mount];
  });
}

/** Mount flags docker's `--tmpfs` accepts that MountSpec has no field for; named in a warning. */
const ignoredTmpfsOptions = ['noexec', 'exec', 'nosuid', 'suid', 'nodev', 'dev'];

/**
 * Reads `tmpfs`: a path or list of paths, each optionally with docker's options after a
 * colon ("/run:rw,noexec,size=64m"). `size=` and `ro`/`rw` are applied; flags we do not
 * apply are named in a warning.
 */
export function readTmpfsMounts(node: YNode, path: string, ctx: ServiceContext): MountSpec[] {
  const list = readStringList(node, path, ctx.r, true) ?? [];
  return list.flatMap((text, i) => {
    const [target = '', options] = text.split(/:(.*)/s);
    const at = node.kind === 'seq' ? child(path, i) : path;
    const pos = node.kind === 'seq' ? node.items[i]!.pos : node.pos;
    if (!checkTarget(target, pos, at, ctx)) return [];
    const mount: MountSpec = { type: 'tmpfs', source: '', target, readOnly: false };
    const ignored: string[] = [];
    for (const option of options === undefined ? [] : options.split(',')) {
      const size = /^size=(.+)$/.exec(option)?.[1];
      if (size !== undefined) {
        const bytes = readBytes({ kind: 'scalar', value: size, pos }, at, ctx.r);
        if (bytes !== undefined) mount.tmpfsSizeBytes = bytes;
      } else if (option === 'ro' || option === 'rw') {
        mount.readOnly = option === 'ro';
      } else if (ignoredTmpfsOptions.includes(option) || option.startsWith('mode=')) {
        ignored.push(option);
      } else {
        ctx.r.error(pos, at, `expected "/target" or "/target:size=64m" (options size=, ro, rw, ${ignoredTmpfsOptions.join(', ')}, mode=), got "${text}"`);
        return [];
      }
    }
    if (ignored.length > 0) ctx.r.warn(pos, at, `ignoring tmpfs options ${ignored.join(', ')}`);
    return [mount];
  });
}

function checkTarget(target: string, pos: SourcePos, path: string, ctx: ServiceContext): boolean {
  if (target.startsWith('/')) return true;
  ctx.r.error(pos, path, `expected an absolute container path as the mount target, got "${target}"`);
  return false;
}

function isHostPath(source: string): boolean {
  return source.startsWith('/') || source === '.' || source === '..' || source.startsWith('./') || source.startsWith('../') || source.startsWith('~');
}

/** Checks a source and turns it into a bind path or volume name; undefined when invalid. */
function checkSource(type: MountType, source: string, pos: SourcePos, path: string, ctx: ServiceContext): string | undefined {
  const template = templateError(source);
  if (template !== undefined) {
    ctx.r.error(pos, path, template);
    return undefined;
  }
  if (type === 'bind') {
    if (source.startsWith('~')) {
      ctx.r.error(pos, path, `expected an absolute or ./relative host path, got "${source}" (~ is not expanded)`);
      return undefined;
    }
    return resolvePath(ctx.baseDir, source);
  }
  if (source !== '' && !source.includes('{{') && !ctx.volumes.has(source)) {
    ctx.r.error(pos, path, `volume "${source}" is not declared under the top-level volumes key${didYouMean(source, ctx.volumes)}`);
    return undefined;
  }
  return source;
}

function readShortMount(node: YNode, path: string, ctx: ServiceContext): MountSpec | undefined {
  const text = readString(node, path, ctx.r);
  if (text === undefined) return undefined;
  const parts = text.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    ctx.r.error(node.pos, path, `expected ${shortForms}, got "${text}"`);
    return undefined;
  }
  const [first = '', second, mode] = parts;
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') {
    ctx.r.error(node.pos, path, `expected mode ro or rw after the target, got "${mode}"`);
    return undefined;
  }
  const target = second ?? first;
  const sourceText = second === undefined ? '' : first;
  if (!checkTarget(target, node.pos, path, ctx)) return undefined;
  const type = isHostPath(sourceText) ? 'bind' : 'volume';
  const source = checkSource(type, sourceText, node.pos, path, ctx);
  return source === undefined ? undefined : { type, source, target, readOnly: mode === 'ro' };
}

function readLongMount(node: YNode, path: string, ctx: ServiceContext): MountSpec | undefined {
  const fields = readFields(node, path, ctx.r, {
    known: ['type', 'source', 'target', 'read_only', 'tmpfs'],
    ignored: ['consistency', 'bind', 'volume'],
  });
  if (fields === undefined) return undefined;
  const typeNode = fields.present('type');
  const type = typeNode === undefined ? 'volume' : readChoice(typeNode, fields.at('type'), ctx.r, mountTypes);
  const targetNode = fields.required('target', ctx.r);
  const target = targetNode && readString(targetNode, fields.at('target'), ctx.r);
  const sourceNode = fields.present('source');
  const sourceText = (sourceNode && readString(sourceNode, fields.at('source'), ctx.r)) ?? '';
  const readOnlyNode = fields.present('read_only');
  const readOnly = (readOnlyNode && readBool(readOnlyNode, fields.at('read_only'), ctx.r)) ?? false;
  if (type === undefined || target === undefined || !checkTarget(target, targetNode!.pos, fields.at('target'), ctx)) return undefined;
  if (type === 'bind' && sourceText === '') {
    if (sourceNode === undefined) fields.required('source', ctx.r, ' for a bind mount');
    else ctx.r.error(sourceNode.pos, fields.at('source'), 'expected a host path for a bind mount, got ""');
    return undefined;
  }
  if (type === 'tmpfs' && sourceNode !== undefined) {
    ctx.r.error(sourceNode.pos, fields.at('source'), 'expected no source for a tmpfs mount');
    return undefined;
  }
  const source = type === 'tmpfs' ? '' : checkSource(type, sourceText, sourceNode?.pos ?? node.pos, fields.at('source'), ctx);
  if (source === undefined) return undefined;
  const mount: MountSpec = { type, source, target, readOnly };
  const tmpfsNode = fields.present('tmpfs');
  if (tmpfsNode !== undefined) {
    const tmpfs = readFields(tmpfsNode, fields.at('tmpfs'), ctx.r, { known: ['size'], ignored: ['mode'] });
    const sizeNode = tmpfs?.present('size');
    if (type !== 'tmpfs') ctx.r.error(tmpfsNode.pos, fields.at('tmpfs'), `expected tmpfs options only with type: tmpfs, got type: ${type}`);
    const size = sizeNode && readBytes(sizeNode, tmpfs!.at('size'), ctx.r);
    if (size !== undefined) mount.tmpfsSizeBytes = size;
  }
  return mount;
}
