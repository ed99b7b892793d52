import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { quantityToMilli, tryParseQuantity } from '../../../../src/core/api/quantity.js';
import { applyDefaults, generateJobSelector, imageTag, podQOSClass } from '../../../../src/core/api/defaults/index.js';
import type { KubeObject, Pod } from '../../../../src/core/api/types.js';

type Fields = Record<string, unknown>;

function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Fields)[p];
  }
  return cur;
}

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx',
        ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '500m', memory: '128Mi' } },
        livenessProbe: { httpGet: { port: 80 } },
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      },
      { name: 'side', image: 'busybox:1.36' },
      { name: 'digest', image: 'registry.example/app@sha256:abc' },
      { name: 'port', image: 'localhost:5000/app' },
    ],
    volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }],
  },
} as KubeObject;

test('Pod defaults (SetDefaults_Pod, _PodSpec, _Container, _Probe, _Volume)', () => {
  const out = applyDefaults(pod);
  const table: readonly (readonly [string, unknown])[] = [
    ['spec.restartPolicy', 'Always'],
    ['spec.dnsPolicy', 'ClusterFirst'],
    ['spec.schedulerName', 'default-scheduler'],
    ['spec.terminationGracePeriodSeconds', 30],
    ['spec.securityContext', {}],
    ['spec.enableServiceLinks', true],
    ['spec.containers[0].imagePullPolicy', 'Always'],
    ['spec.containers[1].imagePullPolicy', 'IfNotPresent'],
    ['spec.containers[2].imagePullPolicy', 'IfNotPresent'],
    ['spec.containers[3].imagePullPolicy', 'Always'],
    ['spec.containers[0].terminationMessagePath', '/dev/termination-log'],
    ['spec.containers[0].terminationMessagePolicy', 'File'],
    ['spec.containers[0].ports[0].protocol', 'TCP'],
    ['spec.containers[0].resources.requests', { cpu: '500m', memory: '128Mi' }],
    ['spec.containers[0].livenessProbe', { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 }],
    ['spec.containers[0].env[0].valueFrom.fieldRef.apiVersion', 'v1'],
    ['spec.volumes[0]', { name: 'scratch', emptyDir: {} }],
    ['spec.volumes[1].configMap.defaultMode', 420],
    // admission on create
    ['spec.serviceAccountName', 'default'],
    // Priority needs the PriorityClasses: the registry's Priority admission sets it, not defaulting.
    ['spec.priority', undefined],
    ['spec.preemptionPolicy', undefined],
    [
      'spec.tolerations',
      [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    ],
  ];
  for (const [path, want] of table) assert.deepEqual(get(out, path), want, path);
  // the input is not touched
  assert.equal(get(pod, 'spec.restartPolicy'), undefined);
});

test('Pod defaults keep what the user set, and tolerations that already cover the taints', () => {
  const mine = structuredClone(pod) as Pod;
  const spec = mine.spec;
  assert.ok(spec);
  spec.restartPolicy = 'Never';
  spec.tolerations = [{ operator: 'Exists' }];
  const out = applyDefaults(mine);
  assert.equal(get(out, 'spec.restartPolicy'), 'Never');
  assert.deepEqual(get(out, 'spec.tolerations'), [{ operator: 'Exists' }]);
  // an update only defaults; admission mutations are for create
  const upd = applyDefaults(pod, 'update');
  assert.equal(get(upd, 'spec.tolerations'), undefined);
});

test('imageTag reads tags past registry ports and digests', () => {
  const table: readonly (readonly [string, string])[] = [
    ['nginx', 'latest'],
    ['nginx:latest', 'latest'],
    ['nginx:1.27', '1.27'],
    ['localhost:5000/app', 'latest'],
    ['localhost:5000/app:v2', 'v2'],
    ['app@sha256:abc', ''],
    ['app:v1@sha256:abc', 'v1'],
  ];
  for (const [image, tag] of table) assert.equal(imageTag(image), tag, image);
});

test('workload defaults', () => {
  const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'a:1' }] } };
  const table: readonly (readonly [KubeObject, readonly (readonly [string, unknown])[]])[] = [
    [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: {}, template } },
      [
        ['spec.replicas', 1],
        ['spec.strategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }],
        ['spec.revisionHistoryLimit', 10],
        ['spec.progressDeadlineSeconds', 600],
        ['spec.template.spec.restartPolicy', 'Always'],
        ['spec.template.spec.containers[0].imagePullPolicy', 'IfNotPresent'],
        // Pod-only defaults stay off templates
        ['spec.template.spec.enableServiceLinks', undefined],
        ['spec.template.spec.tolerations', undefined],
      ],
    ],
    [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { strategy: { type: 'Recreate' }, template } }, [['spec.strategy', { type: 'Recreate' }]]],
    [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { template } }, [['spec.replicas', 1]]],
    [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 's' },
        spec: { template, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] },
      },
      [
        ['spec.podManagementPolicy', 'OrderedReady'],
        ['spec.updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }],
        ['spec.persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' }],
        ['spec.replicas', 1],
        ['spec.revisionHistoryLimit', 10],
        ['spec.volumeClaimTemplates[0].spec.volumeMode', 'Filesystem'],
        ['spec.volumeClaimTemplates[0].status', { phase: 'Pending' }],
      ],
    ],
    [
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds' }, spec: { template } },
      [
        ['spec.updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }],
        ['spec.revisionHistoryLimit', 10],
      ],
    ],
    [
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template } },
      [
        ['spec.completions', 1],
        ['spec.parallelism', 1],
        ['spec.backoffLimit', 6],
        ['spec.completionMode', 'NonIndexed'],
        ['spec.suspend', false],
        ['spec.podReplacementPolicy', 'TerminatingOrFailed'],
        ['metadata.labels', { app: 'a' }],
      ],
    ],
    [
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { parallelism: 4, template } },
      [
        ['spec.completions', undefined],
        ['spec.parallelism', 4],
      ],
    ],
  ];
  for (const [obj, checks] of table) {
    const out = applyDefaults(obj);
    for (const [path, want] of checks) assert.deepEqual(get(out, path), want, `${obj.kind} ${path}`);
  }
});

test('core defaults', () => {
  const table: readonly (readonly [KubeObject, readonly (readonly [string, unknown])[]])[] = [
    [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 443, targetPort: 8443, protocol: 'UDP' }] } },
      [
        ['spec.type', 'ClusterIP'],
        ['spec.sessionAffinity', 'None'],
        ['spec.ports', [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 443, targetPort: 8443, protocol: 'UDP' }]],
        ['spec.ipFamilyPolicy', 'SingleStack'],
        ['spec.ipFamilies', ['IPv4']],
        ['spec.internalTrafficPolicy', 'Cluster'],
        ['spec.externalTrafficPolicy', undefined],
      ],
    ],
    [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } },
      [
        ['spec.externalTrafficPolicy', 'Cluster'],
        ['spec.allocateLoadBalancerNodePorts', true],
        ['spec.sessionAffinityConfig', { clientIP: { timeoutSeconds: 10800 } }],
      ],
    ],
    [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } },
      [
        ['spec.ipFamilyPolicy', undefined],
        ['spec.internalTrafficPolicy', undefined],
      ],
    ],
    [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { user: 'admin' } } as KubeObject, [
      ['type', 'Opaque'],
      ['data', { user: 'YWRtaW4=' }],
      ['stringData', undefined],
    ]],
    [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: {} }, [['spec.volumeMode', 'Filesystem'], ['status.phase', 'Pending']]],
    [{ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: {} }, [['spec.persistentVolumeReclaimPolicy', 'Retain'], ['status.phase', 'Pending']]],
    [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, [['status.phase', 'Active'], ['metadata.labels', { 'kubernetes.io/metadata.name': 'team' }]]],
    [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '4' } } }, [['status.allocatable', { cpu: '4' }]]],
    [{ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' }, value: 5 } as KubeObject, [['preemptionPolicy', 'PreemptLowerPriority']]],
    [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 's' }, provisioner: 'x.example' } as KubeObject, [['reclaimPolicy', 'Delete'], ['volumeBindingMode', 'Immediate']]],
    [{ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, addressType: 'IPv4', ports: [{ port: 80 }] } as KubeObject, [['ports', [{ port: 80, name: '', protocol: 'TCP' }]]]],
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } } as KubeObject, [['data', { a: 'b' }]]],
  ];
  for (const [obj, checks] of table) {
    const out = applyDefaults(obj);
    for (const [path, want] of checks) assert.deepEqual(get(out, path), want, `${obj.kind} ${path}`);
  }
});

test('generateJobSelector keeps labels the user set', () => {
  const job = generateJobSelector({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', uid: 'u1' },
    spec: { template: { metadata: { labels: { 'job-name': 'mine' } }, spec: { containers: [] } } },
  });
  assert.deepEqual(job.spec?.template.metadata?.labels, {
    'job-name': 'mine',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'u1',
    'batch.kubernetes.io/controller-uid': 'u1',
  });
});

test('QoS class', () => {
  const make = (resources: readonly Fields[]): Pod =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'q' },
      spec: { containers: resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })) },
    }) as Pod;
  const table: readonly (readonly [readonly Fields[], string])[] = [
    [[{}], 'BestEffort'],
    [[{ requests: { cpu: '0' } }], 'BestEffort'],
    [[{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }], 'Guaranteed'],
    [[{ limits: { cpu: '1000m', memory: '1024Mi' }, requests: { cpu: '1', memory: '1Gi' } }], 'Guaranteed'],
    [[{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } }], 'Burstable'],
    [[{ limits: { cpu: '1', memory: '1Gi' } }, {}], 'Burstable'],
    [[{ requests: { memory: '64Mi' } }], 'Burstable'],
  ];
  for (const [res, want] of table) {
    // the same before and after defaulting copies limits into requests
    assert.equal(podQOSClass(applyDefaults(make(res))), want, JSON.stringify(res));
    assert.equal(podQOSClass(make(res)), want, JSON.stringify(res));
  }
});

/**
 * qos.GetPodQOS as Kubernetes writes it: per-resource sums of positive cpu and memory requests
 * (a limit standing in for a missing request) and limits over init and regular containers.
 */
function modelQOSClass(pod: Pod): string {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const milliOf = (v: unknown): number | undefined => {
    const q = tryParseQuantity(v);
    if (q === undefined) return undefined;
    const m = quantityToMilli(q);
    return m > 0 ? m : undefined;
  };
  for (const list of [pod.spec?.initContainers, pod.spec?.containers]) {
    for (const c of list ?? []) {
      const res = (c as unknown as Fields)['resources'];
      if (typeof res !== 'object' || res === null) {
        guaranteed = false;
        continue;
      }
      const r = res as Fields;
      const lim = typeof r['limits'] === 'object' && r['limits'] !== null ? (r['limits'] as Fields) : undefined;
      const req = typeof r['requests'] === 'object' && r['requests'] !== null ? (r['requests'] as Fields) : undefined;
      let limited = 0;
      for (const name of ['cpu', 'memory']) {
        const rq = lim === undefined && req === undefined ? undefined : milliOf(req?.[name] ?? lim?.[name]);
        if (rq !== undefined) requests.set(name, (requests.get(name) ?? 0) + rq);
        const lm = lim === undefined ? undefined : milliOf(lim[name]);
        if (lm !== undefined) {
          limits.set(name, (limits.get(name) ?? 0) + lm);
          limited++;
        }
      }
      if (limited !== 2) guaranteed = false;
    }
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  for (const [name, v] of requests) if (limits.get(name) !== v) guaranteed = false;
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

test('QoS class agrees with qos.GetPodQOS on any mix of init and regular containers (property)', () => {
  const value = fc.constantFrom<unknown>(undefined, null, '0', '-1', '1', '1000m', '500m', '1Gi', '1024Mi', '0.5', 'x', 2, 0);
  const resourceList = fc.option(fc.record({ cpu: value, memory: value, 'nvidia.com/gpu': value }, { requiredKeys: [] }), { nil: undefined });
  const resources = fc.option(fc.record({ limits: resourceList, requests: resourceList }, { requiredKeys: [] }), { nil: undefined });
  const containers = fc.array(resources.map((r) => (r === undefined ? { name: 'c' } : { name: 'c', resources: r })), { maxLength: 3 });
  fc.assert(
    fc.property(containers, containers, (inits, regular) => {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { initContainers: inits, containers: regular } } as unknown as Pod;
      assert.equal(podQOSClass(pod), modelQOSClass(pod));
    }),
    { numRuns: 2000 },
  );
});
