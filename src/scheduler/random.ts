// The scheduler's seeded random source: what kube-scheduler draws from math/rand (preemption's
// search offset, GetOffsetAndNumCandidates) drawn here from one sequence per scheduler, so a seed
// fixes every outcome. Draws happen on the main thread in scheduling order only, never on
// workers: the sequence, and so the results, are the same with any number of workers.

/** Draws before int() gives up rejecting (each draw is accepted with probability > 1/2). */
const rejectionsMax = 64;
const twoTo32 = 4294967296;

/** splitmix32: a 32-bit state stepped by the golden ratio, then mixed (murmur3's finalizer). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = Math.imul(seed | 0, 0x2545f491) ^ 0x6a09e667;
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** A uniform integer in [0, n) (Go's rand.Int31n), n an integer in [1, 2^31). */
  int(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n < 2 ** 31)) throw new RangeError(`random bound must be an integer in [1, 2^31), got ${n}`);
    // Draws past the last whole multiple of n are rejected, so every value is equally likely.
    const limit = twoTo32 - (twoTo32 % n);
    let x = this.nextUint32();
    for (let i = 0; i < rejectionsMax && x >= limit; i++) x = this.nextUint32();
    return x % n;
  }
}
