import { test } from 'node:test';
import assert from 'node:assert/strict';
import { created, createErrors, removed, updateErrors, variant, type Edit } from './manifests.js';
import { statefulSetUpdateForbiddenMessage } from '../../../../src/core/api/validation/apps.js';
import type { KubeObject } from '../../../../src/core/api/types.js';

const tpl = 'spec.template';

const cases: readonly (readonly [string, string, readonly Edit[], readonly string[]])[] = [
  ['Deployment/nginx-deployment', 'negative replicas', [['spec.replicas', -1]], ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
  [
    'Deployment/nginx-deployment',
    'no selector (a missing selector matches nothing)',
    [['spec.selector', removed]],
    ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`'],
  ],
  [
    'Deployment/nginx-deployment',
    'empty selector',
    [['spec.selector', {}]],
    ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
  ],
  [
    'Deployment/nginx-deployment',
    'selector does not match the template',
    [[`${tpl}.metadata.labels`, { app: 'web' }]],
    ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`'],
  ],
  [
    'Deployment/nginx-deployment',
    'selector operator',
    [['spec.selector', { matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'tier', operator: 'Like', values: ['x'] }] }]],
    [
      'spec.selector.matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"nginx"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", Operator:"Like", Values:[]string{"x"}}}}: invalid label selector',
    ],
  ],
  [
    'Deployment/nginx-deployment',
    'In without values',
    [['spec.selector', { matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'tier', operator: 'In' }] }]],
    [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"nginx"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string(nil)}}}: invalid label selector',
    ],
  ],
  [
    'Deployment/nginx-deployment',
    'template restartPolicy',
    [[`${tpl}.spec.restartPolicy`, 'OnFailure']],
    ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
  ],
  ['Deployment/nginx-deployment', 'template container image', [[`${tpl}.spec.containers[0].image`, '']], ['spec.template.spec.containers[0].image: Required value']],
  [
    'Deployment/nginx-deployment',
    'maxUnavailable not a percent',
    [['spec.strategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25' } }]],
    [
      "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 25: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ],
  ],
  [
    'Deployment/nginx-deployment',
    'both maxSurge and maxUnavailable 0',
    [['spec.strategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } }]],
    ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
  ],
  [
    'Deployment/nginx-deployment',
    'maxUnavailable over 100%',
    [['spec.strategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } }]],
    ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%'],
  ],
  [
    'Deployment/recreate',
    'Recreate with rollingUpdate',
    [['spec.strategy.rollingUpdate', { maxSurge: 1 }]],
    ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
  ],
  [
    'Deployment/nginx-deployment',
    'progressDeadlineSeconds not above minReadySeconds',
    [['spec.minReadySeconds', 700]],
    ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds'],
  ],
  ['ReplicaSet/frontend', 'negative replicas', [['spec.replicas', -3]], ['spec.replicas: Invalid value: -3: must be greater than or equal to 0']],
  [
    'ReplicaSet/frontend',
    'empty selector says deployment, as Kubernetes does',
    [['spec.selector', { matchLabels: {} }]],
    ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
  ],
  [
    'StatefulSet/web',
    'name must be a DNS label',
    [['metadata.name', 'web.v1']],
    ['metadata.name: Invalid value: "web.v1": must not contain dots'],
  ],
  [
    'StatefulSet/web',
    'podManagementPolicy',
    [['spec.podManagementPolicy', 'Random']],
    ["spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"],
  ],
  [
    'StatefulSet/web',
    'negative partition',
    [['spec.updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: -1 } }]],
    ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'StatefulSet/web',
    'selector mismatch and restartPolicy',
    [[`${tpl}.metadata.labels`, { app: 'db' }], [`${tpl}.spec.restartPolicy`, 'Never']],
    [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"db"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ],
  ],
  [
    'DaemonSet/fluentd-elasticsearch',
    'maxSurge and maxUnavailable both set',
    [['spec.updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } }]],
    ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero'],
  ],
  [
    'DaemonSet/fluentd-elasticsearch',
    'both zero',
    [['spec.updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } }]],
    ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
  ],
  [
    'DaemonSet/fluentd-elasticsearch',
    'no selector matches nothing',
    [['spec.selector', removed]],
    ['spec.template.metadata.labels: Invalid value: map[string]string{"name":"fluentd-elasticsearch"}: `selector` does not match template `labels`'],
  ],
  [
    'DaemonSet/fluentd-elasticsearch',
    'hostPath without path',
    [[`${tpl}.spec.volumes[0].hostPath.path`, '']],
    // an invalid volume cannot be mounted either
    ['spec.template.spec.volumes[0].hostPath.path: Required value', 'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "varlog"'],
  ],
  ['ControllerRevision/web-7b8f9c6d5', 'no data', [['data', removed]], ['data: Required value: data is mandatory']],
  ['ControllerRevision/web-7b8f9c6d5', 'negative revision', [['revision', -1]], ['revision: Invalid value: -1: must be greater than or equal to 0']],
  [
    'Job/pi',
    'restartPolicy Always (the default) is not for Jobs',
    [[`${tpl}.spec.restartPolicy`, removed]],
    ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"'],
  ],
  ['Job/pi', 'negative parallelism', [['spec.parallelism', -1]], ['spec.parallelism: Invalid value: -1: must be greater than or equal to 0']],
  ['Job/pi', 'negative backoffLimit', [['spec.backoffLimit', -2]], ['spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0']],
  [
    'Job/pi',
    'a selector without manualSelector',
    [['spec.selector', { matchLabels: { app: 'pi' } }], [`${tpl}.metadata.labels`, { app: 'pi' }]],
    [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"pi", "batch.kubernetes.io/controller-uid":"3f2d8a4e-1111-4c2b-9a57-0c8d8b2f6e01"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
    ],
  ],
  [
    'Job/indexed-job',
    'Indexed without completions',
    [['spec.completions', removed]],
    ['spec.completions: Required value: when completion mode is Indexed'],
  ],
];

for (const [fixture, what, edits, want] of cases) {
  test(`${fixture.split('/')[0] ?? ''}: ${what}`, () => {
    assert.deepEqual(createErrors(variant(fixture, ...edits)), want);
  });
}

test('Job: a manual selector is the user\'s to write', () => {
  const ok = variant('Job/pi', ['spec.manualSelector', true], ['spec.selector', { matchLabels: { app: 'pi' } }], [`${tpl}.metadata.labels`, { app: 'pi' }]);
  assert.deepEqual(createErrors(ok), []);
  const missing = variant('Job/pi', ['spec.manualSelector', true]);
  assert.deepEqual(createErrors(missing), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
  ]);
});

function stored(fixture: string): KubeObject {
  const s = created(variant(fixture));
  s.metadata.resourceVersion = '9';
  return s;
}

function edited(obj: KubeObject, ...edits: readonly Edit[]): KubeObject {
  const copy = structuredClone(obj);
  for (const [path, value] of edits) {
    const parts = path.split('.');
    let cur = copy as unknown as Record<string, unknown>;
    for (const p of parts.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
    cur[parts[parts.length - 1] ?? ''] = value;
  }
  return copy;
}

test('Deployment update: selector is immutable, replicas and template are not', () => {
  const old = stored('Deployment/nginx-deployment');
  assert.deepEqual(updateErrors(edited(old, ['spec.replicas', 5]), old), []);
  const sel = { matchLabels: { app: 'nginx', tier: 'web' } };
  const changed = edited(old, ['spec.selector', sel], ['spec.template.metadata.labels', { app: 'nginx', tier: 'web' }]);
  assert.deepEqual(updateErrors(changed, old), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"nginx", "tier":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
});

test('StatefulSet update: only replicas, template, updateStrategy… may change', () => {
  const old = stored('StatefulSet/web');
  assert.deepEqual(updateErrors(edited(old, ['spec.replicas', 1]), old), []);
  assert.deepEqual(updateErrors(edited(old, ['spec.serviceName', 'other']), old), [`spec: Forbidden: ${statefulSetUpdateForbiddenMessage}`]);
});

test('Job update: template and completions are immutable', () => {
  const old = stored('Job/pi');
  assert.deepEqual(updateErrors(edited(old, ['spec.suspend', true]), old), []);
  const errs = updateErrors(edited(old, ['spec.completions', 3]), old);
  assert.deepEqual(errs, ['spec.completions: Invalid value: 3: field is immutable']);
});
