import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newUid } from '../../src/core/uid.js';

const canonical = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newUid', () => {
  it('gives version 4 UUIDs in canonical form, none repeated, across many refills of its entropy', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const uid = newUid();
      assert.match(uid, canonical);
      seen.add(uid);
    }
    assert.equal(seen.size, 5000);
  });

  it('returns strings that stay as they were when later UUIDs are made', () => {
    const first = newUid();
    const copy = `${first}`;
    for (let i = 0; i < 300; i++) newUid();
    assert.equal(first, copy);
    assert.match(first, canonical);
  });

  it('uses every hex digit in every random position', () => {
    // 122 random bits per UUID: over 2000 UUIDs each free position takes all 16 digits (a
    // position stuck at one value, or a mask gone wrong, would not).
    const digits = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) {
      const uid = newUid();
      for (let p = 0; p < 36; p++) digits[p]?.add(uid[p] as string);
    }
    for (let p = 0; p < 36; p++) {
      const n = digits[p]?.size;
      if (p === 8 || p === 13 || p === 18 || p === 23) assert.equal(n, 1, `position ${p} is a dash`);
      else if (p === 14) assert.equal(n, 1, 'the version digit is always 4');
      else if (p === 19) assert.equal(n, 4, 'the variant digit is one of 8, 9, a, b');
      else assert.equal(n, 16, `position ${p} takes every hex digit`);
    }
  });
});
