import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Heap } from './heap.js';

const less = (a: { key: number }, b: { key: number }) => a.key < b.key;

function drain<T>(heap: Heap<T>): T[] {
  const out: T[] = [];
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item);
  return out;
}

const orders: number[][] = [[], [1], [2, 1], [5, 3, 8, 1, 9, 2, 7], [4, 4, 1, 4, 0], Array.from({ length: 50 }, (_, i) => (i * 37) % 50)];
for (const keys of orders) {
  test(`pops [${keys.join(',')}] in order`, () => {
    const heap = new Heap(keys.map((key) => ({ key })), less);
    assert.is(heap.size, keys.length);
    assert.equal(drain(heap).map((i) => i.key), [...keys].sort((a, b) => a - b));
  });
}

test('updateTop moves a top whose key grew to its place, and keeps one whose key shrank', () => {
  const items = [1, 2, 3, 4].map((key) => ({ key }));
  const heap = new Heap(items, less);
  heap.peek()!.key = 3.5;
  heap.updateTop();
  assert.is(heap.peek()!.key, 2);
  heap.peek()!.key = -1;
  heap.updateTop();
  assert.equal(drain(heap).map((i) => i.key), [-1, 3, 3.5, 4]);
});

test('the input array is not reordered', () => {
  const items = [3, 1, 2].map((key) => ({ key }));
  new Heap(items, less);
  assert.equal(items.map((i) => i.key), [3, 1, 2]);
});

test.run();
