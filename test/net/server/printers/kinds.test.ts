import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kinds, kindByGVK, type KindInfo } from '../../../../src/core/api/kinds.js';
import type { KubeObject } from '../../../../src/core/api/types.js';
import {
  printerFor,
  tableForList,
  tableForObject,
  tableRow,
  type TableCell,
} from '../../../../src/net/server/printers/index.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(now - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function kind(apiVersion: string, k: string): KindInfo {
  const info = kindByGVK(apiVersion, k);
  if (info === undefined) throw new Error(`${apiVersion} ${k} missing from the registry`);
  return info;
}

function obj(apiVersion: string, k: string, name: string, rest: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion,
    kind: k,
    metadata: { name, namespace: 'default', creationTimestamp: ago(3 * 60_000 + 2_000), resourceVersion: '42', ...meta },
    ...rest,
  } as KubeObject;
}

const template = (containers: { name: string; image: string }[]) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers },
});

/** Header names, upper-cased as kubectl prints them. */
function headers(info: KindInfo): string[] {
  return printerFor(info).columns.map((c) => c.name.toUpperCase());
}

function cells(info: KindInfo, o: KubeObject): TableCell[] {
  return tableRow(info, o, now).cells;
}

describe('printers: columns per kind (kube-apiserver 1.32)', () => {
  const cases: readonly [apiVersion: string, kind: string, normal: string[], wide: string[]][] = [
    ['v1', 'Pod', ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']],
    ['apps/v1', 'Deployment', ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], ['CONTAINERS', 'IMAGES', 'SELECTOR']],
    ['apps/v1', 'ReplicaSet', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], ['CONTAINERS', 'IMAGES', 'SELECTOR']],
    ['apps/v1', 'StatefulSet', ['NAME', 'READY', 'AGE'], ['CONTAINERS', 'IMAGES']],
    ['apps/v1', 'DaemonSet', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'], ['CONTAINERS', 'IMAGES', 'SELECTOR']],
    ['batch/v1', 'Job', ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'], ['CONTAINERS', 'IMAGES', 'SELECTOR']],
    ['v1', 'Service', ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], ['SELECTOR']],
    ['v1', 'Node', ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']],
    ['v1', 'Namespace', ['NAME', 'STATUS', 'AGE'], []],
    ['v1', 'ConfigMap', ['NAME', 'DATA', 'AGE'], []],
    ['v1', 'Secret', ['NAME', 'TYPE', 'DATA', 'AGE'], []],
    ['v1', 'Event', ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], ['SUBOBJECT', 'SOURCE', 'FIRST SEEN', 'COUNT', 'NAME']],
    ['v1', 'Endpoints', ['NAME', 'ENDPOINTS', 'AGE'], []],
    ['v1', 'PersistentVolume', ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'], ['VOLUMEMODE']],
    ['v1', 'PersistentVolumeClaim', ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'], ['VOLUMEMODE']],
    ['v1', 'ServiceAccount', ['NAME', 'SECRETS', 'AGE'], []],
    ['networking.k8s.io/v1', 'Ingress', ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'], []],
    ['networking.k8s.io/v1', 'IngressClass', ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'], []],
    ['discovery.k8s.io/v1', 'EndpointSlice', ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'], []],
    ['coordination.k8s.io/v1', 'Lease', ['NAME', 'HOLDER', 'AGE'], []],
    ['scheduling.k8s.io/v1', 'PriorityClass', ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY'], []],
    ['policy/v1', 'PodDisruptionBudget', ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'], []],
    ['storage.k8s.io/v1', 'StorageClass', ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'], []],
    ['apps/v1', 'ControllerRevision', ['NAME', 'CONTROLLER', 'REVISION', 'AGE'], []],
  ];
  for (const [apiVersion, k, normal, wide] of cases) {
    it(`${k}: ${normal.join(' ')}${wide.length > 0 ? ` | -o wide: ${wide.join(' ')}` : ''}`, () => {
      const info = kind(apiVersion, k);
      const cols = printerFor(info).columns;
      assert.deepEqual(
        cols.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase()),
        normal,
      );
      assert.deepEqual(
        cols.filter((c) => c.priority === 1).map((c) => c.name.toUpperCase()),
        wide,
      );
      assert.equal(cols.filter((c) => c.format === 'name').length, 1, 'exactly one name column');
      for (const c of cols) assert.ok(c.description.length > 0, `${c.name} has a description`);
    });
  }

  it('every kind in the registry has its own printer (none falls back to NAME/AGE)', () => {
    const listed = new Set(cases.map(([a, k]) => `${a} ${k}`));
    for (const info of kinds) {
      assert.ok(listed.has(`${info.apiVersion} ${info.kind}`), `${info.kind} has a column test`);
      assert.notDeepEqual(headers(info), ['NAME', 'AGE'], info.kind);
    }
  });

  it('the scale subresource prints NAME DESIRED AVAILABLE AGE (kubectl get --subresource=scale)', () => {
    const scale = { group: 'autoscaling', kind: 'Scale' };
    assert.deepEqual(printerFor(scale).columns.map((c) => c.name.toUpperCase()), ['NAME', 'DESIRED', 'AVAILABLE', 'AGE']);
    const o = obj('autoscaling/v1', 'Scale', 'web', { spec: { replicas: 3 }, status: { replicas: 2, selector: 'app=web' } });
    assert.deepEqual(tableRow(scale, o, now).cells, ['web', 3, 2, '3m2s']);
  });

  it('an unknown kind gets NAME and AGE', () => {
    const info = { group: 'example.com', kind: 'Widget' };
    assert.deepEqual(printerFor(info).columns.map((c) => c.name), ['Name', 'Age']);
    assert.deepEqual(tableRow(info, obj('example.com/v1', 'Widget', 'w', {}), now).cells, ['w', '3m2s']);
  });
});

describe('printers: cells for representative objects', () => {
  const cases: readonly [name: string, info: KindInfo, o: KubeObject, expected: TableCell[]][] = [
    [
      'deployment READY 2/3',
      kind('apps/v1', 'Deployment'),
      obj('apps/v1', 'Deployment', 'web', {
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] },
          template: template([{ name: 'nginx', image: 'nginx:1.25' }, { name: 'log', image: 'busybox' }]),
        },
        status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
      }),
      ['web', '2/3', 3, 2, '3m2s', 'nginx,log', 'nginx:1.25,busybox', 'app=web,tier in (be,fe)'],
    ],
    [
      'deployment with no status yet',
      kind('apps/v1', 'Deployment'),
      obj('apps/v1', 'Deployment', 'new', {
        spec: { replicas: 1, selector: { matchLabels: { app: 'n' } }, template: template([{ name: 'c', image: 'i' }]) },
      }),
      ['new', '0/1', 0, 0, '3m2s', 'c', 'i', 'app=n'],
    ],
    [
      'replicaset',
      kind('apps/v1', 'ReplicaSet'),
      obj('apps/v1', 'ReplicaSet', 'web-5d8f', {
        spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8f' } }, template: template([{ name: 'nginx', image: 'nginx' }]) },
        status: { replicas: 3, readyReplicas: 1 },
      }),
      ['web-5d8f', 3, 3, 1, '3m2s', 'nginx', 'nginx', 'app=web,pod-template-hash=5d8f'],
    ],
    [
      'statefulset READY 1/3',
      kind('apps/v1', 'StatefulSet'),
      obj('apps/v1', 'StatefulSet', 'db', {
        spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template([{ name: 'pg', image: 'postgres' }]) },
        status: { replicas: 2, readyReplicas: 1 },
      }),
      ['db', '1/3', '3m2s', 'pg', 'postgres'],
    ],
    [
      'daemonset',
      kind('apps/v1', 'DaemonSet'),
      obj('apps/v1', 'DaemonSet', 'agent', {
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: { metadata: {}, spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent:1' }] } },
        },
        status: { desiredNumberScheduled: 5, currentNumberScheduled: 5, numberReady: 4, updatedNumberScheduled: 5, numberAvailable: 4, numberMisscheduled: 0 },
      }),
      ['agent', 5, 5, 4, 5, 4, 'kubernetes.io/os=linux', '3m2s', 'a', 'agent:1', 'app=agent'],
    ],
    [
      'job complete in 30s',
      kind('batch/v1', 'Job'),
      obj('batch/v1', 'Job', 'pi', {
        spec: { completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template: template([{ name: 'pi', image: 'perl' }]) },
        status: {
          succeeded: 1,
          startTime: ago(120_000),
          completionTime: ago(90_000),
          conditions: [{ type: 'Complete', status: 'True' }],
        },
      }),
      ['pi', 'Complete', '1/1', '30s', '3m2s', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u1'],
    ],
    [
      'job running, parallel without completions',
      kind('batch/v1', 'Job'),
      obj('batch/v1', 'Job', 'work', {
        spec: { parallelism: 3, template: template([{ name: 'w', image: 'w' }]) },
        status: { succeeded: 1, active: 2, startTime: ago(65_000) },
      }),
      ['work', 'Running', '1/1 of 3', '65s', '3m2s', 'w', 'w', '<none>'],
    ],
    [
      'job failed wins over terminating',
      kind('batch/v1', 'Job'),
      obj('batch/v1', 'Job', 'bad', { spec: { completions: 2, template: template([]) }, status: { conditions: [{ type: 'Failed', status: 'True' }] } }, { deletionTimestamp: ago(1000) }),
      ['bad', 'Failed', '0/2', '', '3m2s', '', '', '<none>'],
    ],
    [
      'job suspended',
      kind('batch/v1', 'Job'),
      obj('batch/v1', 'Job', 'later', { spec: { completions: 1, template: template([]) }, status: { conditions: [{ type: 'Suspended', status: 'True' }] } }),
      ['later', 'Suspended', '0/1', '', '3m2s', '', '', '<none>'],
    ],
    [
      'service NodePort PORT(S) 80:30080/TCP',
      kind('v1', 'Service'),
      obj('v1', 'Service', 'web', {
        spec: {
          type: 'NodePort',
          clusterIP: '127.16.0.10',
          clusterIPs: ['127.16.0.10'],
          selector: { app: 'web' },
          ports: [
            { port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' },
            { port: 53, nodePort: 30053, protocol: 'UDP' },
          ],
        },
      }),
      ['web', 'NodePort', '127.16.0.10', '<none>', '80:30080/TCP,53:30053/UDP', '3m2s', 'app=web'],
    ],
    [
      'service ClusterIP without ports or selector',
      kind('v1', 'Service'),
      obj('v1', 'Service', 'headless', { spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] } }),
      ['headless', 'ClusterIP', 'None', '<none>', '<none>', '3m2s', '<none>'],
    ],
    [
      'service LoadBalancer pending',
      kind('v1', 'Service'),
      obj('v1', 'Service', 'lb', { spec: { type: 'LoadBalancer', clusterIPs: ['127.16.0.11'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] } }),
      ['lb', 'LoadBalancer', '127.16.0.11', '<pending>', '443:31443/TCP', '3m2s', '<none>'],
    ],
    [
      'service LoadBalancer with ingress addresses and external IPs',
      kind('v1', 'Service'),
      obj('v1', 'Service', 'lb2', {
        spec: { type: 'LoadBalancer', clusterIPs: ['127.16.0.12'], externalIPs: ['10.9.9.9'], ports: [{ port: 80, protocol: 'TCP' }] },
        status: { loadBalancer: { ingress: [{ ip: '127.0.0.2' }, { hostname: 'lb.example.com' }, { ip: '127.0.0.2' }] } },
      }),
      ['lb2', 'LoadBalancer', '127.16.0.12', '127.0.0.2,lb.example.com,10.9.9.9', '80/TCP', '3m2s', '<none>'],
    ],
    [
      'service ExternalName',
      kind('v1', 'Service'),
      obj('v1', 'Service', 'ext', { spec: { type: 'ExternalName', externalName: 'db.example.com' } }),
      ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '3m2s', '<none>'],
    ],
    [
      'node Ready, control plane, cordoned',
      kind('v1', 'Node'),
      obj(
        'v1',
        'Node',
        'node-1',
        {
          spec: { unschedulable: true },
          status: {
            conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
            addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '127.0.0.10' }],
            nodeInfo: { kubeletVersion: 'v1.32.0-cox', osImage: 'Debian', kernelVersion: '6.1.0', containerRuntimeVersion: 'cox://0.1.0', architecture: 'amd64', bootID: '', machineID: '', operatingSystem: 'linux', systemUUID: '', kubeProxyVersion: '' },
          },
        },
        { namespace: undefined, labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master', 'kubernetes.io/hostname': 'node-1' } },
      ),
      ['node-1', 'Ready,SchedulingDisabled', 'control-plane,master', '3m2s', 'v1.32.0-cox', '127.0.0.10', '<none>', 'Debian', '6.1.0', 'cox://0.1.0'],
    ],
    [
      'node never reported',
      kind('v1', 'Node'),
      obj('v1', 'Node', 'node-2', {}),
      ['node-2', 'Unknown', '<none>', '3m2s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
    ],
    [
      'node not ready',
      kind('v1', 'Node'),
      obj('v1', 'Node', 'node-3', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }),
      ['node-3', 'NotReady', '<none>', '3m2s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
    ],
    ['namespace', kind('v1', 'Namespace'), obj('v1', 'Namespace', 'team-a', { status: { phase: 'Active' } }), ['team-a', 'Active', '3m2s']],
    [
      'configmap DATA counts data and binaryData',
      kind('v1', 'ConfigMap'),
      obj('v1', 'ConfigMap', 'cfg', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }),
      ['cfg', 3, '3m2s'],
    ],
    ['configmap without data', kind('v1', 'ConfigMap'), obj('v1', 'ConfigMap', 'empty', {}), ['empty', 0, '3m2s']],
    [
      'secret TYPE and DATA',
      kind('v1', 'Secret'),
      obj('v1', 'Secret', 'creds', { type: 'Opaque', data: { user: 'YQ==', pass: 'Yg==' } }),
      ['creds', 'Opaque', 2, '3m2s'],
    ],
    [
      'serviceaccount SECRETS',
      kind('v1', 'ServiceAccount'),
      obj('v1', 'ServiceAccount', 'default', {}),
      ['default', 0, '3m2s'],
    ],
    [
      'event with a count and a source',
      kind('v1', 'Event'),
      obj('v1', 'Event', 'web-0.17a', {
        involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'default', fieldPath: 'spec.containers{app}' },
        reason: 'BackOff',
        message: 'Back-off restarting failed container\n',
        type: 'Warning',
        count: 7,
        firstTimestamp: ago(10 * 60_000),
        lastTimestamp: ago(20_000),
        source: { component: 'kubelet', host: 'node-1' },
      }),
      ['20s', 'Warning', 'BackOff', 'pod/web-0', 'spec.containers{app}', 'kubelet, node-1', 'Back-off restarting failed container', '10m', 7, 'web-0.17a'],
    ],
    [
      'event of the new API: eventTime, series, reportingComponent',
      kind('v1', 'Event'),
      obj('v1', 'Event', 'sched.1', {
        involvedObject: { kind: 'Pod', name: 'p' },
        reason: 'FailedScheduling',
        message: '0/3 nodes are available',
        type: 'Warning',
        eventTime: '2024-05-01T11:58:00.000000Z',
        series: { count: 4, lastObservedTime: '2024-05-01T11:59:30.000000Z' },
        reportingComponent: 'default-scheduler',
        reportingInstance: '',
      }),
      ['30s', 'Warning', 'FailedScheduling', 'pod/p', '', 'default-scheduler', '0/3 nodes are available', '2m', 4, 'sched.1'],
    ],
    [
      'singleton event without count or object name',
      kind('v1', 'Event'),
      obj('v1', 'Event', 'n.1', { involvedObject: { kind: 'Node' }, reason: 'Starting', type: 'Normal', firstTimestamp: ago(5000) }),
      ['5s', 'Normal', 'Starting', 'node', '', '', '', '5s', 1, 'n.1'],
    ],
    [
      'endpoints: three shown, the rest counted',
      kind('v1', 'Endpoints'),
      obj('v1', 'Endpoints', 'web', {
        subsets: [
          {
            addresses: [{ ip: '127.1.0.1' }, { ip: '127.1.0.2' }, { ip: '127.1.0.3' }, { ip: '127.1.0.4' }],
            ports: [{ port: 8080, protocol: 'TCP' }],
          },
        ],
      }),
      ['web', '127.1.0.1:8080,127.1.0.2:8080,127.1.0.3:8080 + 1 more...', '3m2s'],
    ],
    ['endpoints without subsets', kind('v1', 'Endpoints'), obj('v1', 'Endpoints', 'none', {}), ['none', '<none>', '3m2s']],
    [
      'endpoints IPv6 and port-less subset',
      kind('v1', 'Endpoints'),
      obj('v1', 'Endpoints', 'v6', { subsets: [{ addresses: [{ ip: '::1' }], ports: [{ port: 80 }] }, { addresses: [{ ip: '127.0.0.9' }] }] }),
      ['v6', '[::1]:80,127.0.0.9', '3m2s'],
    ],
    [
      'persistent volume bound',
      kind('v1', 'PersistentVolume'),
      obj('v1', 'PersistentVolume', 'pv-1', {
        spec: {
          capacity: { storage: '10Gi' },
          accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          claimRef: { namespace: 'default', name: 'data' },
          storageClassName: 'local',
          volumeMode: 'Filesystem',
          hostPath: { path: '/tmp/pv' },
        },
        status: { phase: 'Bound' },
      }, { namespace: undefined }),
      ['pv-1', '10Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'local', '<unset>', '', '3m2s', 'Filesystem'],
    ],
    [
      'persistent volume claim pending, then bound',
      kind('v1', 'PersistentVolumeClaim'),
      obj('v1', 'PersistentVolumeClaim', 'data', {
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local' },
        status: { phase: 'Pending' },
      }),
      ['data', 'Pending', '', '', '', 'local', '<unset>', '3m2s', '<unset>'],
    ],
    [
      'persistent volume claim bound, beta class annotation wins',
      kind('v1', 'PersistentVolumeClaim'),
      obj(
        'v1',
        'PersistentVolumeClaim',
        'data2',
        {
          spec: { accessModes: ['ReadWriteOnce'], volumeName: 'pv-1', storageClassName: 'local', volumeMode: 'Filesystem' },
          status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } },
        },
        { annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } },
      ),
      ['data2', 'Bound', 'pv-1', '10Gi', 'RWO', 'old', '<unset>', '3m2s', 'Filesystem'],
    ],
    [
      'ingress hosts, address, TLS ports',
      kind('networking.k8s.io/v1', 'Ingress'),
      obj('networking.k8s.io/v1', 'Ingress', 'site', {
        spec: {
          ingressClassName: 'cox',
          rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }, {}, { host: 'c.example.com' }, { host: 'd.example.com' }],
          tls: [{ hosts: ['a.example.com'], secretName: 'tls' }],
        },
        status: { loadBalancer: { ingress: [{ ip: '127.0.0.80' }] } },
      }),
      ['site', 'cox', 'a.example.com,b.example.com,c.example.com + 2 more...', '127.0.0.80', '80, 443', '3m2s'],
    ],
    [
      'ingress without rules or class',
      kind('networking.k8s.io/v1', 'Ingress'),
      obj('networking.k8s.io/v1', 'Ingress', 'default-backend', { spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } }),
      ['default-backend', '<none>', '*', '', '80', '3m2s'],
    ],
    [
      'ingressclass with parameters',
      kind('networking.k8s.io/v1', 'IngressClass'),
      obj('networking.k8s.io/v1', 'IngressClass', 'cox', {
        spec: { controller: 'coxswain.dev/ingress', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } },
      }),
      ['cox', 'coxswain.dev/ingress', 'IngressParameters.k8s.example.com/p', '3m2s'],
    ],
    [
      'endpointslice',
      kind('discovery.k8s.io/v1', 'EndpointSlice'),
      obj('discovery.k8s.io/v1', 'EndpointSlice', 'web-abc', {
        addressType: 'IPv4',
        ports: [{ port: 8080, name: 'http' }, { name: 'metrics' }, {}],
        endpoints: [{ addresses: ['127.1.0.1'] }, { addresses: ['127.1.0.2', '127.1.0.3'] }, { addresses: ['127.1.0.4'] }],
      }),
      ['web-abc', 'IPv4', '8080,metrics,*', '127.1.0.1,127.1.0.2,127.1.0.3 + 1 more...', '3m2s'],
    ],
    [
      'endpointslice empty',
      kind('discovery.k8s.io/v1', 'EndpointSlice'),
      obj('discovery.k8s.io/v1', 'EndpointSlice', 'web-none', { addressType: 'IPv4', endpoints: [] }),
      ['web-none', 'IPv4', '<unset>', '<unset>', '3m2s'],
    ],
    [
      'lease holder',
      kind('coordination.k8s.io/v1', 'Lease'),
      obj('coordination.k8s.io/v1', 'Lease', 'node-1', { spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } }),
      ['node-1', 'node-1', '3m2s'],
    ],
    [
      'priorityclass',
      kind('scheduling.k8s.io/v1', 'PriorityClass'),
      obj('scheduling.k8s.io/v1', 'PriorityClass', 'high', { value: 1000000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' }),
      ['high', 1000000, false, '3m2s', 'PreemptLowerPriority'],
    ],
    [
      'poddisruptionbudget',
      kind('policy/v1', 'PodDisruptionBudget'),
      obj('policy/v1', 'PodDisruptionBudget', 'web', { spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 } }),
      ['web', '50%', 'N/A', 1, '3m2s'],
    ],
    [
      'storageclass marked default',
      kind('storage.k8s.io/v1', 'StorageClass'),
      obj('storage.k8s.io/v1', 'StorageClass', 'local', { provisioner: 'coxswain.dev/local' }, { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }),
      ['local (default)', 'coxswain.dev/local', 'Delete', 'Immediate', false, '3m2s'],
    ],
    [
      'controllerrevision of a statefulset',
      kind('apps/v1', 'ControllerRevision'),
      obj('apps/v1', 'ControllerRevision', 'db-7c9', { revision: 2 }, {
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }],
      }),
      ['db-7c9', 'statefulset.apps/db', 2, '3m2s'],
    ],
    [
      'controllerrevision without owner',
      kind('apps/v1', 'ControllerRevision'),
      obj('apps/v1', 'ControllerRevision', 'orphan', { revision: 1 }),
      ['orphan', '<none>', 1, '3m2s'],
    ],
  ];
  for (const [name, info, o, expected] of cases) {
    it(name, () => {
      const got = cells(info, o);
      assert.deepEqual(got, expected);
      assert.equal(got.length, printerFor(info).columns.length, 'one cell per column');
    });
  }

  it('objects handed out frozen by the watch cache print the same and are left untouched', () => {
    const deepFreeze = (v: unknown): unknown => {
      if (v !== null && typeof v === 'object') {
        for (const x of Object.values(v)) deepFreeze(x);
        Object.freeze(v);
      }
      return v;
    };
    for (const [name, info, o, expected] of cases) {
      const copy = deepFreeze(structuredClone(o)) as KubeObject;
      assert.deepEqual(cells(info, copy), expected, name);
      assert.deepEqual(copy, o, name);
    }
  });
});

describe('printers: Table documents', () => {
  const podKind = kind('v1', 'Pod');
  const pods = [
    obj('v1', 'Pod', 'a', { spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Running' } }, { resourceVersion: '7', uid: 'u-a' }),
    obj('v1', 'Pod', 'b', { spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Pending' } }, { resourceVersion: '9', uid: 'u-b' }),
  ];

  it('a list: meta.k8s.io/v1 Table with columns, one row per object, PartialObjectMetadata by default', () => {
    const t = tableForList(podKind, pods, { now, listMeta: { resourceVersion: '10', continue: 'tok', remainingItemCount: 3 } });
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(t.metadata, { resourceVersion: '10', continue: 'tok', remainingItemCount: 3 });
    assert.equal(t.columnDefinitions.length, 9);
    assert.deepEqual(t.columnDefinitions[0], {
      name: 'Name',
      type: 'string',
      format: 'name',
      description:
        'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
      priority: 0,
    });
    assert.deepEqual(
      t.rows.map((r) => r.cells[0]),
      ['a', 'b'],
    );
    assert.deepEqual(t.rows[0]?.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pods[0]?.metadata });
  });

  it('includeObject=Object carries the object; None carries null', () => {
    const full = tableForList(podKind, pods, { now, includeObject: 'Object' });
    assert.equal(full.rows[1]?.object, pods[1]);
    const none = tableForList(podKind, pods, { now, includeObject: 'None' });
    assert.equal(none.rows[0]?.object, null);
  });

  it('one object: a one-row Table with the object’s resourceVersion; noHeaders for later watch events', () => {
    const first = tableForObject(podKind, pods[0] as KubeObject, { now });
    assert.deepEqual(first.metadata, { resourceVersion: '7' });
    assert.equal(first.rows.length, 1);
    assert.equal(first.columnDefinitions.length, 9);
    const later = tableForObject(podKind, pods[1] as KubeObject, { now, noHeaders: true });
    assert.deepEqual(later.columnDefinitions, []);
    assert.deepEqual(later.rows[0]?.cells.slice(0, 3), ['b', '0/1', 'Pending']);
  });

  it('serializes to the JSON kubectl decodes', () => {
    const json = JSON.parse(JSON.stringify(tableForList(podKind, pods.slice(0, 1), { now })));
    assert.deepEqual(Object.keys(json), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
    assert.deepEqual(Object.keys(json.columnDefinitions[5]), ['name', 'type', 'format', 'description', 'priority']);
    assert.deepEqual(json.rows[0].cells, ['a', '0/1', 'Running', '0', '3m2s', '<none>', '<none>', '<none>', '<none>']);
  });

  it('a client asking meta.k8s.io/v1beta1 gets that version for the Table and its rows', () => {
    const t = tableForList(podKind, pods, { now, metaVersion: 'v1beta1' });
    assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
    assert.equal((t.rows[0]?.object as { apiVersion: string }).apiVersion, 'meta.k8s.io/v1beta1');
    assert.equal(tableForObject(podKind, pods[0] as KubeObject, { now, metaVersion: 'v1beta1' }).apiVersion, 'meta.k8s.io/v1beta1');
  });

  it('an empty list still has its columns', () => {
    const t = tableForList(kind('apps/v1', 'Deployment'), [], { now });
    assert.equal(t.rows.length, 0);
    assert.equal(t.columnDefinitions.length, 8);
  });
});
