/**
 * The few path operations the parser needs, on POSIX paths as strings: the spec folder
 * stays free of node:path so it runs the same everywhere, tests included.
 */

/** The folder of a file path ('.' for a bare file name). */
export function dirnameOf(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return '.';
  return slash === 0 ? '/' : path.slice(0, slash);
}

/** `relative` resolved against `base` and normalized ('.' and '..' removed where possible). */
export function resolvePath(base: string, relative: string): string {
  const joined = relative.startsWith('/') ? relative : `${base}/${relative}`;
  const absolute = joined.startsWith('/');
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part !== '..' || !absolute) parts.push(part);
  }
  const body = parts.join('/');
  return absolute ? `/${body}` : body === '' ? '.' : body;
}
