import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandedNodesMax, readYamlTree, type YNode } from './yaml-tree.js';

/** The tree as plain data, without positions, to compare shapes. */
function plain(node: YNode | undefined): unknown {
  if (node === undefined) return undefined;
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(plain);
  return Object.fromEntries(node.entries.map((e) => [e.key, plain(e.value)]));
}

test('scalars keep their YAML types and every node its 1-based line and column', () => {
  const { root, problems } = readYamlTree('a: 1\nb: "1"\nc: true\nd:\ne: [x, 2.5]\n');
  assert.equal(problems, []);
  assert.equal(plain(root), { a: 1, b: '1', c: true, d: null, e: ['x', 2.5] });
  assert.ok(root?.kind === 'map');
  assert.equal(root.entries.map((e) => [e.key, e.keyPos.line, e.keyPos.column, e.value.pos.line, e.value.pos.column]), [
    ['a', 1, 1, 1, 4], ['b', 2, 1, 2, 4], ['c', 3, 1, 3, 4], ['d', 4, 1, 4, 3], ['e', 5, 1, 5, 4],
  ]);
});

test('an empty file has no root and no problems', () => {
  for (const text of ['', '\n', '# only a comment\n']) assert.equal(readYamlTree(text), { root: undefined, problems: [] }, JSON.stringify(text));
});

test('aliases are expanded into copies and merge keys give way to explicit keys', () => {
  const text = [
    'base: &base {a: 1, b: 2}',
    'other: &other {b: 3, c: 4}',
    'one: {<<: *base, b: 9}',
    'two: {<<: [*base, *other]}',
    'three: *base',
  ].join('\n');
  assert.equal(plain(readYamlTree(text).root), {
    base: { a: 1, b: 2 },
    other: { b: 3, c: 4 },
    one: { b: 9, a: 1 },
    two: { a: 1, b: 2, c: 4 },
    three: { a: 1, b: 2 },
  });
});

test('a quoted "<<" is an ordinary key', () => {
  assert.equal(plain(readYamlTree('m: {"<<": x}').root), { m: { '<<': 'x' } });
});

test('bad merges, self-referring aliases and syntax errors are problems with positions', () => {
  const cases: Array<[string, Array<[number, number, string]>]> = [
    ['a: {<<: 5}', [[1, 9, 'a << merge key expects a mapping or a list of mappings (usually aliases like *defaults)']]],
    ['a: &a\n  b: *a\n', [[2, 6, 'alias *a refers to itself']]],
    ['a: 1\na: 2\n', [[2, 1, 'invalid YAML: Map keys must be unique']]],
    ['a: *missing\n', [[1, 4, 'unknown alias *missing']]],
    ['? [a, b]\n: c\n', [[1, 3, 'mapping keys must be plain scalars']]],
  ];
  for (const [text, expected] of cases) {
    const { problems } = readYamlTree(text);
    assert.equal(problems.map((p) => [p.pos.line, p.pos.column, p.message]), expected, text);
  }
});

test('a file that explodes through nested aliases is refused, not expanded', () => {
  const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= 6; i++) lines.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
  const { problems } = readYamlTree(lines.join('\n'));
  assert.is(problems.length, 1);
  assert.is(problems[0]!.message, `the file expands to more than ${expandedNodesMax} nodes through aliases`);
});

test.run();
