import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedulerConfig } from '../../../src/scheduler/framework/config.js';
import { ConfigError } from '../../../src/scheduler/framework/errors.js';
import type { Binder } from '../../../src/scheduler/framework/interfaces.js';
import { buildFramework, type Framework } from '../../../src/scheduler/framework/runtime.js';
import { inTreeRegistry } from '../../../src/scheduler/plugins/registry.js';

const binder: Binder = { bind: () => Promise.resolve() };

function build(input: unknown, index = 0): Framework {
  const profile = parseSchedulerConfig(input as string).profiles[index];
  assert.ok(profile);
  return buildFramework(profile, inTreeRegistry(), { binder });
}

test('the default profile has kube-scheduler 1.32 plugins and weights', () => {
  const fw = build({});
  assert.equal(fw.schedulerName, 'default-scheduler');
  assert.equal(fw.queueSort.name, 'PrioritySort');
  assert.deepEqual(fw.preEnqueue.map((p) => p.name), ['SchedulingGates']);
  assert.deepEqual(fw.filter.map((p) => p.name), ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeRestrictions', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
  const weights = Object.fromEntries(fw.score.map((p, i) => [p.name, fw.scoreWeights[i]]));
  assert.deepEqual(weights, { TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, PodTopologySpread: 2, InterPodAffinity: 2, NodeResourcesBalancedAllocation: 1, ImageLocality: 1 });
  assert.deepEqual(fw.bind.map((p) => p.name), ['DefaultBinder']);
  assert.equal(fw.percentageOfNodesToScore, 100);
});

test('YAML profiles: per-point disable / enable, weights, args, several profiles', () => {
  const yaml = `
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 50
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packer
  plugins:
    score:
      disabled:
      - name: NodeResourcesBalancedAllocation
      - name: ImageLocality
      enabled:
      - name: NodeResourcesFit
        weight: 5
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
`;
  const config = parseSchedulerConfig(yaml);
  assert.deepEqual(config.profiles.map((p) => p.schedulerName), ['default-scheduler', 'bin-packer']);
  const fw = build(yaml, 1);
  assert.equal(fw.percentageOfNodesToScore, 50);
  assert.deepEqual(fw.score.map((p) => p.name), ['NodeResourcesFit', 'TaintToleration', 'NodeAffinity', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(fw.scoreWeights, [5, 3, 2, 2, 2]);
  assert.equal((fw.plugins.get('NodeResourcesFit') as unknown as { args: { type: string } }).args.type, 'MostAllocated');
});

test('multiPoint: disabling every default and enabling a few', () => {
  const fw = build({
    profiles: [{ plugins: { multiPoint: { disabled: [{ name: '*' }], enabled: [{ name: 'PrioritySort' }, { name: 'NodeResourcesFit', weight: 4 }, { name: 'DefaultBinder' }] } } }],
  });
  assert.deepEqual(fw.filter.map((p) => p.name), ['NodeResourcesFit']);
  assert.deepEqual(fw.scoreWeights, [4]);
  assert.deepEqual(fw.preEnqueue, []);
});

test('bad configurations stop start-up with an error naming the field', () => {
  const cases: { name: string; input: unknown; field: string }[] = [
    { name: 'unknown plugin', input: { profiles: [{ plugins: { score: { enabled: [{ name: 'Fastest' }] } } }] }, field: 'profiles[0].plugins.score.enabled[0].name' },
    { name: 'weight too large', input: { profiles: [{ plugins: { score: { enabled: [{ name: 'ImageLocality', weight: 101 }] } } }] }, field: 'profiles[0].plugins.score.enabled[0].weight' },
    { name: 'weight not an integer', input: { profiles: [{ plugins: { score: { enabled: [{ name: 'ImageLocality', weight: 1.5 }] } } }] }, field: 'profiles[0].plugins.score.enabled[0].weight' },
    { name: 'weight on a filter', input: { profiles: [{ plugins: { filter: { enabled: [{ name: 'NodePorts', weight: 1 }] } } }] }, field: 'profiles[0].plugins.filter.enabled[0].weight' },
    { name: 'plugin lacks the point', input: { profiles: [{ plugins: { score: { enabled: [{ name: 'NodePorts' }] } } }] }, field: 'profiles[0].plugins.score.enabled[0].name' },
    { name: 'duplicate scheduler name', input: { profiles: [{}, {}] }, field: 'profiles[1].schedulerName' },
    { name: 'unknown point', input: { profiles: [{ plugins: { scoring: {} } }] }, field: 'profiles[0].plugins.scoring' },
    { name: 'no queue sort', input: { profiles: [{ plugins: { queueSort: { disabled: [{ name: '*' }] } } }] }, field: 'profiles[0].plugins.queueSort' },
    { name: 'no binder', input: { profiles: [{ plugins: { bind: { disabled: [{ name: 'DefaultBinder' }] } } }] }, field: 'profiles[0].plugins.bind' },
    { name: 'bad args', input: { profiles: [{ pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'X' } } }] }] }, field: 'profiles[0].pluginConfig[0].args.scoringStrategy.type' },
    { name: 'args for an unknown plugin', input: { profiles: [{ pluginConfig: [{ name: 'Nope', args: {} }] }] }, field: 'profiles[0].pluginConfig[0].name' },
    { name: 'percentage out of range', input: { percentageOfNodesToScore: 101 }, field: 'percentageOfNodesToScore' },
    { name: 'wrong apiVersion', input: { apiVersion: 'kubescheduler.config.k8s.io/v1beta2' }, field: 'apiVersion' },
    { name: 'YAML syntax', input: 'profiles: [', field: '<config>' },
  ];
  for (const c of cases) {
    assert.throws(
      () => build(c.input),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, `${c.name}: ${String(e)}`);
        assert.equal(e.field, c.field, c.name);
        assert.ok(e.message.startsWith(`${c.field}: `), e.message);
        return true;
      },
    );
  }
});
