/**
 * The architecture check run by the test suite: pure folders stay pure (no I/O, timers,
 * Date, Math.random or libp2p, also through what they import), imports point the way
 * docs/architecture.md says, and no module imports itself through a cycle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Folders whose code must be deterministic and free of I/O. */
export const pureFolders = ['raft', 'membership', 'scheduler', 'cluster', 'spec'];

/** Subfolders of pure folders that are their I/O shell (raft's write-ahead log on disk). */
export const shellSubfolders = ['raft/storage'];

/** npm packages a pure folder may use: pure parsers only. */
const purePackages = new Set(['yaml']);

/** Which of our folders each folder may import; unlisted folders may import any but the forbidden. */
const allowedImports: Record<string, string[]> = {
  core: [],
  spec: ['core'],
  raft: ['core'],
  membership: ['core'],
  admission: ['core', 'membership'],
  scheduler: ['core', 'spec'],
  cluster: ['core', 'spec', 'scheduler', 'raft'],
};

/** Globals a pure module must not touch: wall clock, timers, process state, ambient randomness. */
const forbiddenGlobals = new Set([
  'Date', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval',
  'queueMicrotask', 'performance', 'process', 'require', 'fetch', 'crypto',
]);

export interface Violation {
  file: string;
  message: string;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const isTest = (file: string) => /\.test\.tsx?$/.test(file);

function folderOf(srcDir: string, file: string): string {
  return relative(srcDir, file).split(sep)[0] ?? '';
}

/** Our modules that `file` imports (resolved to .ts paths), and the bare specifiers. */
function importsOf(file: string, source: string): { local: string[]; bare: string[] } {
  const info = ts.preProcessFile(source, true, true);
  const local: string[] = [];
  const bare: string[] = [];
  for (const ref of info.importedFiles) {
    const spec = ref.fileName;
    if (spec.startsWith('.')) {
      const base = resolve(dirname(file), spec).replace(/\.js$/, '');
      const candidates = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')];
      const found = candidates.find((c) => { try { return statSync(c).isFile(); } catch { return false; } });
      local.push(found ?? `${base}.ts`);
    } else {
      bare.push(spec);
    }
  }
  return { local, bare };
}

function forbiddenUses(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.expression.getText(sf) === 'Math' && node.name.text === 'random') {
      found.push(`Math.random at line ${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`);
    }
    if (ts.isIdentifier(node) && forbiddenGlobals.has(node.text)) {
      const parent = node.parent;
      const isMemberName = (ts.isPropertyAccessExpression(parent) && parent.name === node) || ts.isPropertyAssignment(parent) && parent.name === node;
      const isDeclaration = (ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node;
      if (!isMemberName && !isDeclaration) {
        found.push(`${node.text} at line ${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Every architecture violation under `srcDir` (an empty array when all is well). */
export function checkArchitecture(srcDir: string): Violation[] {
  const files = listSources(srcDir);
  const graph = new Map<string, { local: string[]; bare: string[] }>();
  const sources = new Map<string, string>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    sources.set(file, source);
    graph.set(file, importsOf(file, source));
  }
  const violations: Violation[] = [];
  const rel = (f: string) => relative(srcDir, f);

  for (const file of files) {
    const edges = graph.get(file)!;
    const folder = folderOf(srcDir, file);
    for (const target of edges.local) {
      if (!graph.has(target)) {
        violations.push({ file: rel(file), message: `imports ${rel(target)}, which does not exist` });
        continue;
      }
      const targetFolder = folderOf(srcDir, target);
      if (targetFolder === folder || isTest(file)) continue;
      const allowed = allowedImports[folder];
      if (allowed && !allowed.includes(targetFolder)) {
        violations.push({ file: rel(file), message: `${folder}/ may import only ${allowed.join(', ') || 'nothing of ours'}, not ${targetFolder}/` });
      }
      // src/main.ts, the executable, is the one place that starts either the daemon or the CLI.
      const fromEntryPoint = rel(file) === 'main.ts';
      const intoShell = !fromEntryPoint && (targetFolder === 'cli' || (targetFolder === 'daemon' && folder !== 'daemon' && !/^api/.test(target.split(sep).pop() ?? '')));
      if (intoShell) {
        violations.push({ file: rel(file), message: `nothing imports ${targetFolder}/ (only daemon/api* types may be shared), but this imports ${rel(target)}` });
      }
    }
  }

  // Purity: a pure module and everything of ours it reaches must be free of I/O and ambient state.
  const checked = new Set<string>();
  const checkPure = (file: string, via: string): void => {
    if (checked.has(file) || !graph.has(file)) return;
    checked.add(file);
    const edges = graph.get(file)!;
    for (const spec of edges.bare) {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (!purePackages.has(pkg)) violations.push({ file: rel(file), message: `pure code (reached from ${via}) imports "${spec}"` });
    }
    for (const use of forbiddenUses(file, sources.get(file)!)) {
      violations.push({ file: rel(file), message: `pure code (reached from ${via}) uses ${use}` });
    }
    for (const target of edges.local) checkPure(target, via);
  };
  const inShell = (file: string) => shellSubfolders.some((sub) => rel(file).startsWith(sub + '/'));
  for (const file of files) {
    if (pureFolders.includes(folderOf(srcDir, file)) && !isTest(file) && !inShell(file)) checkPure(file, rel(file));
  }

  // Cycles: depth-first search over non-test modules.
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const target of graph.get(file)?.local ?? []) {
      if (!graph.has(target) || isTest(target)) continue;
      if (state.get(target) === 'visiting') {
        const cycle = stack.slice(stack.indexOf(target)).concat(target).map(rel);
        violations.push({ file: rel(target), message: `import cycle: ${cycle.join(' -> ')}` });
      } else if (!state.has(target)) {
        visit(target);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!isTest(file) && !state.has(file)) visit(file);

  return violations;
}
