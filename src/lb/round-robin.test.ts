import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conntrackDeletions } from './conntrack-cleanup.js';
import { RoundRobin } from './round-robin.js';
import { backends, port, testService } from './test-views.js';

test('each pick starts at the next backend and lists the others as fallbacks', () => {
  const turn = new RoundRobin();
  const picks = Array.from({ length: 4 }, () => turn.order(['a', 'b', 'c']));
  assert.equal(picks, [['a', 'b', 'c'], ['b', 'c', 'a'], ['c', 'a', 'b'], ['a', 'b', 'c']]);
});

test('thirty picks over three backends give each ten, in turn', () => {
  const turn = new RoundRobin();
  const firsts = Array.from({ length: 30 }, () => turn.order(['a', 'b', 'c'])[0]);
  assert.equal(firsts, Array.from({ length: 10 }, () => ['a', 'b', 'c']).flat());
});

test('no backends: nothing to try', () => {
  assert.equal(new RoundRobin().order([]), []);
});

test('a shrinking list keeps rotating without skipping past its end', () => {
  const turn = new RoundRobin();
  turn.order(['a', 'b', 'c']);
  turn.order(['a', 'b', 'c']);
  assert.equal(turn.order(['a', 'b'])[0], 'a');
  assert.equal(turn.order(['a', 'b'])[0], 'b');
});

test('conntrack entries are deleted for each removed backend of each frontend, and only then', () => {
  const before = { services: [testService({ ports: [port(80, 8080)], backends: backends(['10.200.1.10', '10.200.1.11']) })] };
  const after = { services: [testService({ ports: [port(80, 8080)], backends: backends(['10.200.1.10']) })] };
  assert.equal(conntrackDeletions(before, after), [
    ['-D', '-p', 'tcp', '--orig-dst', '10.201.0.5', '--orig-port-dst', '80', '--reply-src', '10.200.1.11'],
    ['-D', '-p', 'tcp', '--orig-port-dst', '8080', '--reply-src', '10.200.1.11'],
  ]);
  assert.equal(conntrackDeletions(before, before), []);
  assert.equal(conntrackDeletions(undefined, before), []);
});

test.run();
