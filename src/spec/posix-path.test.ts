import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dirnameOf, resolvePath } from './posix-path.js';

test('dirnameOf gives the folder of a stack file', () => {
  const cases: Array<[string, string]> = [['/srv/app/stack.yml', '/srv/app'], ['stack.yml', '.'], ['/stack.yml', '/'], ['a/b.yml', 'a']];
  for (const [path, dir] of cases) assert.is(dirnameOf(path), dir, path);
});

test('resolvePath normalizes ./ and ../ against the base folder', () => {
  const cases: Array<[string, string, string]> = [
    ['/srv/app', './data', '/srv/app/data'],
    ['/srv/app', '../shared/x', '/srv/shared/x'],
    ['/srv/app', '.', '/srv/app'],
    ['/srv/app', '/abs/./p/', '/abs/p'],
    ['/', '../../x', '/x'],
    ['.', './x.env', 'x.env'],
    ['.', '../x', '../x'],
    ['app', '..', '.'],
  ];
  for (const [base, rel, out] of cases) assert.is(resolvePath(base, rel), out, `${base} + ${rel}`);
});

test.run();
