// Fifo: the same order as an array used as a queue, through its prefix compaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Fifo } from '../../src/core/fifo.js';

test('pushes, shifts, peeks and drains as a plain array queue does, across compactions', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 1, max: 3000 }) }), fc.record({ shift: fc.integer({ min: 1, max: 3000 }) }), fc.constant('drain' as const)), { maxLength: 30 }),
      (ops) => {
        const fifo = new Fifo<number>();
        const model: number[] = [];
        let next = 0;
        for (const op of ops) {
          if (op === 'drain') {
            assert.deepEqual(fifo.drain(), model.splice(0));
          } else if ('push' in op) {
            for (let i = 0; i < op.push; i++) {
              fifo.push(next);
              model.push(next++);
            }
          } else {
            for (let i = 0; i < op.shift; i++) {
              assert.equal(fifo.peek(), model[0]);
              assert.equal(fifo.shift(), model.shift());
            }
          }
          assert.equal(fifo.size, model.length);
        }
      },
    ),
    { numRuns: 200 },
  );
});
