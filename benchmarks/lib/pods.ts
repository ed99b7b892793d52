// Realistic ~1 KiB Pod objects for load benchmarks: the shape a Deployment's pod has once it is
// scheduled and running (labels, annotations, an owner reference, one container with ports, env
// and resources, status with conditions and a container status). Serialized as JSON they weigh
// about 1,120 bytes (1.1 KiB), the size class of a small real pod.
//
// Everything is derived from the index, so a run is reproducible and two systems under test get
// byte-identical objects.
import type { IPod } from 'kubernetes-models/v1/Pod';

/** The annotation `updatedPod` bumps, so an update changes the object without changing its size class. */
export const updateAnnotation = 'bench.coxswain.dev/update';

/** The benchmark key layout of the store issue: /pods/<namespace>/<name>. */
export function podKey(namespace: string, name: string): string {
  return `/pods/${namespace}/${name}`;
}

/** Pod names: `web-7d4b9c8f6d-<index in base 36, 5 wide>`, like a ReplicaSet's generated names. */
export function podName(index: number): string {
  return `web-7d4b9c8f6d-${index.toString(36).padStart(5, '0')}`;
}

// A deterministic UUID-shaped string from an integer (not random: reproducible runs).
function uidOf(index: number, salt: number): string {
  const a = ((index * 2654435761) >>> 0) ^ salt;
  const b = ((index * 40503 + salt) >>> 0) & 0xffff;
  const hex = (n: number, width: number): string => (n >>> 0).toString(16).padStart(width, '0').slice(-width);
  return `${hex(a, 8)}-${hex(b, 4)}-4${hex(index, 3)}-a${hex(salt, 3)}-${hex(index * 7919 + salt, 12)}`;
}

const baseTimeMs = Date.UTC(2026, 0, 15, 9, 30, 0);

function timestamp(offsetSeconds: number): string {
  return new Date(baseTimeMs + offsetSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The index-th benchmark Pod in `namespace`. */
export function makePod(index: number, namespace = 'default'): IPod {
  const name = podName(index);
  const podIp = `10.${(index >>> 16) & 255}.${(index >>> 8) & 255}.${index & 255}`;
  const created = timestamp(index % 86_400);
  const started = timestamp((index % 86_400) + 2);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: uidOf(index, 0x5eed),
      creationTimestamp: created,
      labels: {
        app: 'web',
        'pod-template-hash': '7d4b9c8f6d',
      },
      annotations: {
        'prometheus.io/scrape': 'true',
        [updateAnnotation]: '0',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d4b9c8f6d',
          uid: uidOf(0, 0x0a11),
          controller: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'nginx',
          image: 'nginx:1.27',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
          ],
          resources: {
            requests: { cpu: '100m', memory: '128Mi' },
            limits: { cpu: '500m', memory: '256Mi' },
          },
        },
      ],
      nodeName: `node-${index % 1000}`,
    },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: started },
      ],
      hostIP: `192.168.${(index >>> 8) % 4}.${index % 250}`,
      podIP: podIp,
      startTime: started,
      containerStatuses: [
        {
          name: 'nginx',
          ready: true,
          restartCount: 0,
          image: 'nginx:1.27',
          imageID: '',
          state: { running: { startedAt: started } },
        },
      ],
    },
  };
}

/**
 * A copy of `pod` with the update annotation set to `generation`: what an update workload writes.
 * The input is not modified (store values may be frozen).
 */
export function updatedPod(pod: IPod, generation: number): IPod {
  const metadata = pod.metadata ?? {};
  return {
    ...pod,
    metadata: {
      ...metadata,
      annotations: { ...metadata.annotations, [updateAnnotation]: String(generation) },
    },
  };
}
