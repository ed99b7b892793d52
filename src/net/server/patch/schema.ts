// Merge metadata of the built-in kinds, for strategic merge patch and server-side apply.
//
// kubernetes-models' `_schemas` are compiled validators without `x-kubernetes-patch-merge-key`,
// `x-kubernetes-patch-strategy` or `x-kubernetes-list-type`, so this is a compact table keyed by
// Go type name, transcribed from the struct tags of k8s.io/api. Only fields that differ from
// the defaults are listed; everything else follows the defaults:
//   object field     → merged key by key (SMP) / granular map (SSA)
//   list field       → replaced whole (SMP) / atomic (SSA)
//   scalar           → replaced
//
// One line per field: `'<Type>[] flags…'` for a list of <Type>, `'<Type> flags…'` for a struct,
// `'[] flags…'` for a list of scalars, `'flags…'` for a scalar or map. Flags:
//   merge=<key>      patchStrategy merge, patchMergeKey <key>; SSA list-map keyed by <key>
//   merge            patchStrategy merge on a list of scalars; SSA set
//   keys=a,b:DEF     SSA list-map keys when they differ from the merge key (`:DEF` = default
//                    value of a key the applied item may omit, e.g. protocol:TCP)
//   retainKeys       patchStrategy retainKeys (the server honours `$retainKeys` anywhere)
//   replace          patchStrategy replace on a map
//   atomic           SSA structType/mapType atomic: owned and replaced as one value
//   atomicItems      the list's items are atomic structs: an item is one field (`k:{…}: {}`)
//   ssaAtomic        `+listType=atomic` on a list SMP still merges by key (duplicate keys allowed)
//   zero / zeronull  present in the Go zero value of the parent ({} / null): a create then
//                    does not count the field itself as added (only its contents), as
//                    kube-apiserver's field manager sees it

export type ListType = 'atomic' | 'set' | 'map';

export interface ListKey {
  readonly name: string;
  /** Default used when an applied item omits the key (`undefined`: required). */
  readonly defaultValue: string | number | undefined;
}

export interface FieldSchema {
  /** Struct type of the value, or of the list's elements. */
  readonly type: TypeSchema | undefined;
  /** Set when the field is a list. */
  readonly list: ListType | undefined;
  /** SMP: `patchStrategy:"merge"` on a list. */
  readonly smpMerge: boolean;
  /** SMP: `patchMergeKey`. */
  readonly mergeKey: string | undefined;
  /** SMP: `patchStrategy:"replace"` on a map. */
  readonly smpReplace: boolean;
  /** SSA: list-map keys, sorted by name (the order of `k:{…}`). */
  readonly keys: readonly ListKey[] | undefined;
  /** SSA: the whole value is one field. */
  readonly atomic: boolean;
  /** SSA: each item of a list-map is one field (atomic element struct). */
  readonly atomicItems: boolean;
  /** Present in the Go zero value of the parent: `{}` (object) or null. */
  readonly zero: 'object' | 'null' | undefined;
}

export interface TypeSchema {
  readonly name: string;
  readonly fields: ReadonlyMap<string, FieldSchema>;
}

/** The schema of a field no table lists: defaults throughout. */
export const unknownField: FieldSchema = Object.freeze({
  type: undefined,
  list: undefined,
  smpMerge: false,
  mergeKey: undefined,
  smpReplace: false,
  keys: undefined,
  atomic: false,
  atomicItems: false,
  zero: undefined,
});

type Table = Readonly<Record<string, Readonly<Record<string, string>>>>;

const conditions = 'Condition[] merge=type';

const table: Table = {
  ObjectMeta: {
    finalizers: '[] merge',
    ownerReferences: 'OwnerReference[] merge=uid atomicItems',
    managedFields: 'ManagedFieldsEntry[]',
  },
  OwnerReference: {},
  ManagedFieldsEntry: {},
  Condition: {},
  LabelSelector: {},

  // core/v1
  PodTemplateSpec: { metadata: 'ObjectMeta zero', spec: 'PodSpec zero' },
  PodSpec: {
    volumes: 'Volume[] merge=name retainKeys',
    initContainers: 'Container[] merge=name',
    containers: 'Container[] merge=name zeronull',
    ephemeralContainers: 'Container[] merge=name',
    imagePullSecrets: 'LocalObjectReference[] merge=name atomicItems',
    hostAliases: 'HostAlias[] merge=ip',
    topologySpreadConstraints:
      'TopologySpreadConstraint[] merge=topologyKey keys=topologyKey,whenUnsatisfiable',
    schedulingGates: 'PodSchedulingGate[] merge=name',
    resourceClaims: 'PodResourceClaim[] merge=name retainKeys',
    nodeSelector: 'atomic',
    affinity: 'Affinity',
  },
  LocalObjectReference: {},
  ObjectReference: {},
  HostAlias: {},
  TopologySpreadConstraint: { labelSelector: 'LabelSelector atomic' },
  PodSchedulingGate: {},
  PodResourceClaim: {},
  Affinity: { nodeAffinity: 'NodeAffinity', podAffinity: 'PodAffinity', podAntiAffinity: 'PodAffinity' },
  NodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: 'NodeSelector atomic' },
  NodeSelector: {},
  PodAffinity: {},
  Container: {
    ports: 'ContainerPort[] merge=containerPort keys=containerPort,protocol:TCP',
    env: 'EnvVar[] merge=name',
    volumeMounts: 'VolumeMount[] merge=mountPath',
    volumeDevices: 'VolumeDevice[] merge=devicePath',
    resources: 'ResourceRequirements',
  },
  ContainerPort: {},
  EnvVar: { valueFrom: 'EnvVarSource' },
  EnvVarSource: {
    configMapKeyRef: 'ConfigMapKeySelector atomic',
    secretKeyRef: 'SecretKeySelector atomic',
    fieldRef: 'ObjectFieldSelector atomic',
    resourceFieldRef: 'ResourceFieldSelector atomic',
  },
  ConfigMapKeySelector: {},
  SecretKeySelector: {},
  ObjectFieldSelector: {},
  ResourceFieldSelector: {},
  VolumeMount: {},
  VolumeDevice: {},
  ResourceRequirements: { claims: 'ResourceClaim[] merge=name' },
  ResourceClaim: {},
  Volume: {},
  PodStatus: {
    conditions,
    podIPs: 'PodIP[] merge=ip ssaAtomic',
    hostIPs: 'HostIP[] merge=ip ssaAtomic',
  },
  PodIP: {},
  HostIP: {},
  ServiceSpec: {
    ports: 'ServicePort[] merge=port keys=port,protocol:TCP',
    selector: 'atomic',
  },
  ServicePort: {},
  ServiceStatus: { conditions },
  NodeSpec: { podCIDRs: '[] merge', configSource: 'NodeConfigSource' },
  NodeConfigSource: {},
  NodeStatus: {
    conditions,
    addresses: 'NodeAddress[] merge=type ssaAtomic',
  },
  NodeAddress: {},
  NamespaceStatus: { conditions },
  PersistentVolumeClaimStatus: { conditions },
  PersistentVolumeClaimSpec: { selector: 'LabelSelector atomic' },
  ReplicationControllerSpec: { template: 'PodTemplateSpec' },

  // apps/v1
  DeploymentSpec: {
    selector: 'LabelSelector atomic zeronull',
    template: 'PodTemplateSpec zero',
    strategy: 'DeploymentStrategy zero retainKeys',
  },
  DeploymentStrategy: {},
  DeploymentStatus: { conditions },
  ReplicaSetSpec: {
    selector: 'LabelSelector atomic zeronull',
    template: 'PodTemplateSpec zero',
  },
  ReplicaSetStatus: { conditions },
  StatefulSetSpec: {
    selector: 'LabelSelector atomic zeronull',
    template: 'PodTemplateSpec zero',
    updateStrategy: 'StatefulSetUpdateStrategy zero retainKeys',
  },
  StatefulSetUpdateStrategy: {},
  StatefulSetStatus: { conditions },
  DaemonSetSpec: {
    selector: 'LabelSelector atomic zeronull',
    template: 'PodTemplateSpec zero',
    updateStrategy: 'DaemonSetUpdateStrategy zero',
  },
  DaemonSetUpdateStrategy: {},
  DaemonSetStatus: { conditions },

  // batch/v1
  JobSpec: {
    selector: 'LabelSelector atomic',
    template: 'PodTemplateSpec zero',
  },
  JobStatus: { conditions },
  CronJobSpec: { jobTemplate: 'JobTemplateSpec zero' },
  JobTemplateSpec: { metadata: 'ObjectMeta zero', spec: 'JobSpec zero' },

  // policy/v1, networking, discovery
  PodDisruptionBudgetSpec: { selector: 'LabelSelector atomic' },
  PodDisruptionBudgetStatus: { conditions },
  NetworkPolicySpec: { podSelector: 'LabelSelector atomic zero' },
};

/** Root fields of each kind: `spec` and `status` types by kind name, and any other root field. */
const roots: Readonly<
  Record<string, { readonly spec?: string; readonly status?: string; readonly extra?: Readonly<Record<string, string>> }>
> = {
  ServiceAccount: {
    extra: {
      secrets: 'ObjectReference[] merge=name atomicItems',
      imagePullSecrets: 'LocalObjectReference[] merge=name atomicItems',
    },
  },
  Pod: { spec: 'PodSpec', status: 'PodStatus' },
  PodTemplate: { extra: { template: 'PodTemplateSpec zero' } },
  Service: { spec: 'ServiceSpec', status: 'ServiceStatus' },
  Node: { spec: 'NodeSpec', status: 'NodeStatus' },
  Namespace: { status: 'NamespaceStatus' },
  PersistentVolumeClaim: { spec: 'PersistentVolumeClaimSpec', status: 'PersistentVolumeClaimStatus' },
  ReplicationController: { spec: 'ReplicationControllerSpec' },
  Deployment: { spec: 'DeploymentSpec', status: 'DeploymentStatus' },
  ReplicaSet: { spec: 'ReplicaSetSpec', status: 'ReplicaSetStatus' },
  StatefulSet: { spec: 'StatefulSetSpec', status: 'StatefulSetStatus' },
  DaemonSet: { spec: 'DaemonSetSpec', status: 'DaemonSetStatus' },
  Job: { spec: 'JobSpec', status: 'JobStatus' },
  CronJob: { spec: 'CronJobSpec' },
  PodDisruptionBudget: { spec: 'PodDisruptionBudgetSpec', status: 'PodDisruptionBudgetStatus' },
  NetworkPolicy: { spec: 'NetworkPolicySpec' },
};

// ---- table → schema objects (once, at load) ----

interface MutableType {
  readonly name: string;
  readonly fields: Map<string, FieldSchema>;
}

const types = new Map<string, MutableType>();

function typeNamed(name: string): MutableType {
  let t = types.get(name);
  if (t === undefined) {
    t = { name, fields: new Map() };
    types.set(name, t);
  }
  return t;
}

function parseField(spec: string): FieldSchema {
  const words = spec.split(' ').filter((w) => w.length > 0);
  let type: TypeSchema | undefined;
  let isList = false;
  let smpMerge = false;
  let mergeKey: string | undefined;
  let smpReplace = false;
  let keySpec: string | undefined;
  let atomic = false;
  let atomicItems = false;
  let ssaAtomic = false;
  let zero: 'object' | 'null' | undefined;
  for (const w of words) {
    if (w === '[]') isList = true;
    else if (w.endsWith('[]')) {
      isList = true;
      type = typeNamed(w.slice(0, -2));
    } else if (w === 'merge') smpMerge = true;
    else if (w.startsWith('merge=')) {
      smpMerge = true;
      mergeKey = w.slice('merge='.length);
    } else if (w.startsWith('keys=')) keySpec = w.slice('keys='.length);
    else if (w === 'retainKeys') {
      // The server applies `$retainKeys` wherever it appears; nothing to record.
    } else if (w === 'replace') smpReplace = true;
    else if (w === 'atomic') atomic = true;
    else if (w === 'atomicItems') atomicItems = true;
    else if (w === 'ssaAtomic') ssaAtomic = true;
    else if (w === 'zero') zero = 'object';
    else if (w === 'zeronull') zero = 'null';
    else if (/^[A-Z]/.test(w)) type = typeNamed(w);
    else throw new Error(`patch schema: unknown flag ${w} in "${spec}"`);
  }
  let list: ListType | undefined;
  let keys: ListKey[] | undefined;
  if (isList && ssaAtomic) {
    list = 'atomic';
  } else if (isList) {
    if (keySpec === undefined && mergeKey !== undefined) keySpec = mergeKey;
    if (keySpec !== undefined) {
      list = 'map';
      keys = keySpec.split(',').map((k) => {
        const [name, def] = k.split(':') as [string, string | undefined];
        return { name, defaultValue: def };
      });
      keys.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } else if (smpMerge) list = 'set';
    else list = 'atomic';
  }
  return Object.freeze({ type, list, smpMerge, mergeKey, smpReplace, keys, atomic, atomicItems, zero });
}

for (const typeName of Object.keys(table)) {
  const t = typeNamed(typeName);
  const fields = table[typeName] ?? {};
  for (const field of Object.keys(fields)) t.fields.set(field, parseField(fields[field] ?? ''));
}

const rootCache = new Map<string, TypeSchema>();

/**
 * The schema of a whole object of `kind`: metadata, spec and status typed as the kind's Go
 * structs (all three present in the zero value). Unknown kinds get ObjectMeta and defaults.
 */
export function rootSchema(kind: string): TypeSchema {
  let root = rootCache.get(kind);
  if (root !== undefined) return root;
  const fields = new Map<string, FieldSchema>();
  fields.set('metadata', parseField('ObjectMeta zero'));
  const r = roots[kind];
  if (r?.spec !== undefined) fields.set('spec', parseField(`${r.spec} zero`));
  if (r?.status !== undefined) fields.set('status', parseField(`${r.status} zero`));
  if (r?.extra !== undefined) {
    for (const name of Object.keys(r.extra)) fields.set(name, parseField(r.extra[name] ?? ''));
  }
  root = { name: kind, fields };
  rootCache.set(kind, root);
  return root;
}

/** The schema of `field` inside a value of type `t` (defaults when unknown). */
export function fieldOf(t: TypeSchema | undefined, field: string): FieldSchema {
  if (t === undefined) return unknownField;
  return t.fields.get(field) ?? unknownField;
}
