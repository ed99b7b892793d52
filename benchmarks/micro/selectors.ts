// Micro benchmark: matching label and field selectors against objects, the watch fan-out's and
// controllers' per-object work, and parsing them.
// Run: npx tsc -p . && node dist/benchmarks/micro/selectors.js [--json]
// Each task handles a batch of label sets / objects per call, so ops/s is matches per second.
import { Bench } from 'tinybench';
import { labelSelectorFromObject, parseLabelSelector } from '../../src/core/api/labels.js';
import { fieldSelectorMatchesObject, parseFieldSelector } from '../../src/core/api/fields.js';
import { reportMicroBench } from './report.js';

const batchSize = 1024;
const apps = ['web', 'db', 'cache', 'queue'];
const tiers = ['frontend', 'backend'];

// Pod label sets as Deployments stamp them: a few labels, some hits, some misses.
const labelSets: Record<string, string>[] = Array.from({ length: batchSize }, (_, i) => ({
  app: apps[i % apps.length] ?? 'web',
  tier: tiers[i % tiers.length] ?? 'frontend',
  'pod-template-hash': `h${i % 7}`,
  ...(i % 3 === 0 ? { canary: 'true' } : {}),
}));

const pods = Array.from({ length: batchSize }, (_, i) => ({
  metadata: { name: `pod-${i}`, namespace: i % 2 === 0 ? 'shop' : 'default', labels: labelSets[i] },
  spec: { nodeName: i % 5 === 0 ? '' : `node-${i % 100}` },
  status: { phase: i % 9 === 0 ? 'Pending' : 'Running' },
}));

const equality = labelSelectorFromObject({ matchLabels: { app: 'web', tier: 'frontend' } });
const setBased = parseLabelSelector('app in (web,db,cache),tier notin (backend),!canary');
const manyValues = parseLabelSelector(`app in (${Array.from({ length: 32 }, (_, i) => `app${i}`).join(',')},web)`);
const fieldSel = parseFieldSelector('spec.nodeName=node-10,status.phase!=Succeeded');
const selectorText = 'app in (web,db,cache),tier notin (backend),!canary,environment=production';

let sink = 0;
let counter = 0;

const bench = new Bench({ time: 400, warmupTime: 100 });
bench
  .add('label matchLabels (app=web,tier=frontend)', () => {
    for (let i = 0; i < batchSize; i++) if (equality.matches(labelSets[i])) sink++;
  })
  .add('label set-based (in, notin, !)', () => {
    for (let i = 0; i < batchSize; i++) if (setBased.matches(labelSets[i])) sink++;
  })
  .add('label in (33 values)', () => {
    for (let i = 0; i < batchSize; i++) if (manyValues.matches(labelSets[i])) sink++;
  })
  .add('field selector on pods (nodeName, phase)', () => {
    for (let i = 0; i < batchSize; i++) if (fieldSelectorMatchesObject(fieldSel, 'pods', pods[i] ?? {})) sink++;
  })
  .add('parseLabelSelector (4 requirements, repeated: cached)', () => {
    for (let i = 0; i < batchSize; i++) sink += parseLabelSelector(selectorText).requirements.length;
  })
  .add('parseLabelSelector (4 requirements, all distinct)', () => {
    // A new value each time defeats the cache of parsed selectors.
    for (let i = 0; i < batchSize; i++) {
      sink += parseLabelSelector(`${selectorText},n${(counter++ & 0xffffff).toString(36)}`).requirements.length;
    }
  });

await bench.run();

if (sink === Number.MIN_VALUE) console.log(sink);
reportMicroBench(bench, () => batchSize);
