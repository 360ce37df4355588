import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatProblem, Reporter, sortProblems } from './reporter.js';

test('a problem reads file:line:column, key path, message; the path is left out when empty', () => {
  assert.is(formatProblem({ file: 'stack.yml', line: 12, column: 5, path: 'services.web.deploy.replicas', message: 'expected a non-negative integer, got "three"' }),
    'stack.yml:12:5 services.web.deploy.replicas: expected a non-negative integer, got "three"');
  assert.is(formatProblem({ file: 'stack.yml', line: 1, column: 1, path: '', message: 'invalid YAML: x' }), 'stack.yml:1:1 invalid YAML: x');
});

test('problems sort by line then column, keeping report order at the same spot', () => {
  const r = new Reporter('s.yml');
  r.error({ line: 3, column: 1 }, 'c', 'third');
  r.error({ line: 1, column: 9 }, 'b', 'second');
  r.error({ line: 1, column: 2 }, 'a', 'first');
  r.error({ line: 3, column: 1 }, 'c', 'fourth');
  assert.equal(sortProblems(r.problems).map((p) => p.message), ['first', 'second', 'third', 'fourth']);
});

test('a fatal problem silences later errors at the same position, not warnings', () => {
  const r = new Reporter('s.yml');
  r.fatal({ line: 2, column: 3 }, 'image', 'required variable X is not set');
  r.error({ line: 2, column: 3 }, 'image', 'expected an image reference');
  r.error({ line: 2, column: 4 }, 'image', 'elsewhere');
  r.warn({ line: 2, column: 3 }, 'image', 'still warned');
  assert.equal(r.problems.map((p) => p.message), ['required variable X is not set', 'elsewhere']);
  assert.equal(r.warnings.map((p) => p.message), ['still warned']);
});

test.run();
