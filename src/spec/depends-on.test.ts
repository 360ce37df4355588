import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findDependencyCycles } from './depends-on.js';

const cyclesOf = (edges: Record<string, string[]>) => findDependencyCycles(new Map(Object.entries(edges)), Object.keys(edges));

test('dependency cycles are found once each, from their first service in file order', () => {
  const cases: Array<[Record<string, string[]>, string[][]]> = [
    [{ web: ['db'], db: [] }, []],
    [{ a: ['a'] }, [['a', 'a']]],
    [{ a: ['b'], b: ['a'] }, [['a', 'b', 'a']]],
    [{ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }, [['a', 'b', 'c', 'a']]],
    [{ a: ['b', 'c'], b: ['a'], c: ['a'] }, [['a', 'b', 'a'], ['a', 'c', 'a']]],
    [{ x: ['y'], y: ['z'], z: ['y'] }, [['y', 'z', 'y']]],
    [{}, []],
  ];
  for (const [edges, cycles] of cases) assert.equal(cyclesOf(edges), cycles, JSON.stringify(edges));
});

test.run();
