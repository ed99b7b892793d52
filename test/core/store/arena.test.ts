import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BufferArena } from '../../../src/core/store/arena.js';

describe('BufferArena', () => {
  it('hands out buffers of the asked length that never overlap, whatever the sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 4096 }), fc.array(fc.nat({ max: 3000 }), { maxLength: 200 }), (chunkBytes, lengths) => {
        const arena = new BufferArena(chunkBytes);
        const buffers = lengths.map((length, i) => {
          const b = arena.allocate(length);
          assert.equal(b.length, length);
          b.fill(i & 0xff);
          return b;
        });
        // Every buffer still holds what was written into it: no later one wrote over it.
        buffers.forEach((b, i) => assert.ok(b.every((byte) => byte === (i & 0xff)), `buffer ${i}`));
      }),
      { numRuns: 200 },
    );
  });

  it('carves small buffers from one chunk and gives large ones their own memory', () => {
    const arena = new BufferArena(1024);
    const a = arena.allocate(100);
    const b = arena.allocate(100);
    assert.equal(a.buffer, b.buffer, 'same chunk');
    assert.equal(b.byteOffset % 8, 0, '8-byte aligned');
    const big = arena.allocate(600);
    assert.notEqual(big.buffer, a.buffer);
    // A full chunk is followed by a fresh one.
    for (let i = 0; i < 8; i++) arena.allocate(100);
    assert.notEqual(arena.allocate(100).buffer, a.buffer);
  });

  it('refuses a chunk too small to carve from', () => {
    assert.throws(() => new BufferArena(8), RangeError);
  });
});
