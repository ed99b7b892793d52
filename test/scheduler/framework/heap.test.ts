// KeyedHeap: pops in `less` order, replaces and deletes by key. Property test against a plain
// array kept sorted (the reference), over random sequences of push, replace, delete and pop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyedHeap } from '../../../src/scheduler/framework/heap.js';

interface Item {
  readonly key: string;
  readonly rank: number;
}

const less = (a: Item, b: Item): boolean => a.rank < b.rank || (a.rank === b.rank && a.key < b.key);

type Op = { readonly kind: 'push'; readonly key: number; readonly rank: number } | { readonly kind: 'delete'; readonly key: number } | { readonly kind: 'pop' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), key: fc.nat(30), rank: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.nat(30) }),
  fc.record({ kind: fc.constant('pop' as const) }),
);

test('property: the heap pops, replaces and deletes as a sorted reference list', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const heap = new KeyedHeap<Item>((i) => i.key, less);
      let reference: Item[] = [];
      for (const o of ops) {
        if (o.kind === 'push') {
          const item = { key: `k${o.key}`, rank: o.rank };
          heap.push(item);
          reference = [...reference.filter((i) => i.key !== item.key), item].sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0));
        } else if (o.kind === 'delete') {
          const key = `k${o.key}`;
          assert.deepEqual(heap.delete(key), reference.find((i) => i.key === key));
          reference = reference.filter((i) => i.key !== key);
        } else {
          assert.deepEqual(heap.pop(), reference.shift());
        }
        assert.equal(heap.size, reference.length);
        assert.deepEqual(heap.peek(), reference[0]);
        for (const i of reference) assert.equal(heap.get(i.key), i);
      }
      assert.deepEqual([...heap.values()].sort((a, b) => (less(a, b) ? -1 : 1)), reference);
    }),
    { numRuns: 300 },
  );
});
