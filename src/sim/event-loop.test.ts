import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventLoop } from './event-loop.js';
import { MinHeap } from './min-heap.js';

test('timers run in time order, ties in scheduling order, and the clock jumps to each', () => {
  const loop = new EventLoop(100);
  const seen: string[] = [];
  loop.at(130, () => seen.push(`b@${loop.nowMs()}`));
  loop.after(10, () => seen.push(`a@${loop.nowMs()}`));
  loop.at(130, () => seen.push(`c@${loop.nowMs()}`));
  loop.at(50, () => seen.push(`past@${loop.nowMs()}`));
  loop.runUntil(1000);
  assert.equal(seen, ['past@100', 'a@110', 'b@130', 'c@130']);
  assert.is(loop.nowMs(), 1000);
});

test('a cancelled timer never runs and a timer may schedule another at the same instant', () => {
  const loop = new EventLoop();
  const seen: number[] = [];
  const id = loop.at(5, () => seen.push(1));
  loop.at(5, () => loop.at(5, () => seen.push(3)));
  loop.cancel(id);
  assert.is(loop.nextEventMs(), 5);
  loop.runUntil(10);
  assert.equal(seen, [3]);
  assert.is(loop.nextEventMs(), undefined);
  assert.not.ok(loop.step());
});

test('sources are polled with timers and run when due', () => {
  const loop = new EventLoop();
  const due = [7, 3];
  const ran: number[] = [];
  loop.addSource({ nextDueMs: () => due[due.length - 1], runDue: (now) => { ran.push(now); due.pop(); } });
  loop.at(5, () => ran.push(-5));
  loop.runUntil(20);
  assert.equal(ran, [3, -5, 7]);
});

test('step stops at the limit without passing it', () => {
  const loop = new EventLoop();
  loop.at(50, () => {});
  assert.not.ok(loop.step(20));
  assert.is(loop.nowMs(), 20);
  assert.ok(loop.step(50));
  assert.is(loop.nowMs(), 50);
});

test('the heap pops in order through pushes, pops and retain', () => {
  const heap = new MinHeap<number>((a, b) => a < b);
  for (const n of [5, 3, 9, 1, 7, 3, 0, 8]) heap.push(n);
  assert.is(heap.pop(), 0);
  heap.retain((n) => n !== 3);
  const out: number[] = [];
  for (let n = heap.pop(); n !== undefined; n = heap.pop()) out.push(n);
  assert.equal(out, [1, 5, 7, 8, 9]);
  assert.is(heap.peek(), undefined);
});

test.run();
