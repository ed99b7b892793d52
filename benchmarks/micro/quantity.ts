// Micro benchmark: parsing and converting Kubernetes quantities, the scheduler's per-pod work.
// Run: npx tsc -p . && node dist/benchmarks/micro/quantity.js [--json]
// Each task handles a batch of inputs per call, so ops/s is quantities per second.
import { Bench } from 'tinybench';
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  parseMilli,
  parseQuantity,
  quantityToMilli,
  type Quantity,
} from '../../src/core/api/quantity.js';
import { reportMicroBench } from './report.js';

const batchSize = 1024;
const common = ['100m', '500Mi', '4', '32Gi', '250m', '1Gi', '2', '128Mi'];
const unusual = ['1.5Gi', '0.1', '1e3', '100.035Ki', '9223372036854775807.1', '1.001', '0.5e-9', '12E'];

function batch(pool: readonly string[]): string[] {
  return Array.from({ length: batchSize }, (_, i) => pool[i % pool.length] ?? '0');
}

const commonBatch = batch(common);
const unusualBatch = batch(unusual);
const parsedCommon: Quantity[] = commonBatch.map((s) => parseQuantity(s));
const computedCommon: Quantity[] = parsedCommon.map((q) => addQuantities(q, parseQuantity('1m')));

// Results land here so the work cannot be optimized away.
let sink = 0;

const bench = new Bench({ time: 400, warmupTime: 100 });
bench
  .add('parseQuantity (100m, 500Mi, 4, 32Gi…)', () => {
    for (let i = 0; i < batchSize; i++) sink += parseQuantity(commonBatch[i] as string).scale;
  })
  .add('parseMilli (parse + MilliValue)', () => {
    for (let i = 0; i < batchSize; i++) sink += parseMilli(commonBatch[i] as string);
  })
  .add('parseQuantity (fractions, exponents, big)', () => {
    for (let i = 0; i < batchSize; i++) sink += parseQuantity(unusualBatch[i] as string).scale;
  })
  .add('quantityToMilli', () => {
    for (let i = 0; i < batchSize; i++) sink += quantityToMilli(parsedCommon[i] as Quantity);
  })
  .add('compareQuantities', () => {
    for (let i = 1; i < batchSize; i++) sink += compareQuantities(parsedCommon[i - 1] as Quantity, parsedCommon[i] as Quantity);
  })
  .add('addQuantities', () => {
    for (let i = 1; i < batchSize; i++) sink += addQuantities(parsedCommon[i - 1] as Quantity, parsedCommon[i] as Quantity).scale;
  })
  .add('formatQuantity (canonical form, computed)', () => {
    // A fresh sum has no cached text, so this measures building the canonical string.
    for (let i = 0; i < batchSize; i++) {
      sink += formatQuantity(addQuantities(computedCommon[i] as Quantity, computedCommon[i] as Quantity)).length;
    }
  });

await bench.run();

if (sink === Number.MIN_VALUE) console.log(sink);
reportMicroBench(bench, () => batchSize);
