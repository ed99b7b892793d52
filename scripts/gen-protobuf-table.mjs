#!/usr/bin/env node
// Builds src/net/wire/protobuf/table.ts: for every kind whose protobuf body we decode, the fields
// of each message reachable from it (field number, JSON name, wire kind, nested type, repeated,
// map, and the Go facts that decide what encoding/json would print: omitempty, pointer, inline).
//
// The facts come from the Go struct tags of k8s.io/api and k8s.io/apimachinery (`json:"..."`,
// `protobuf:"bytes,3,opt,name=..."`), read from git mirrors at one tag, and every field number is
// cross-checked against the same tag's generated.proto. Nothing is copied: the output is our own
// compact table.
//
// Usage: node scripts/gen-protobuf-table.mjs <kubernetes/api git dir> <kubernetes/apimachinery git dir> <tag>
//   e.g. node scripts/gen-protobuf-table.mjs /work/.mirror/kubernetes+api/repo \
//          /work/.mirror/kubernetes+apimachinery/repo v0.34.10
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const [apiDir, machineryDir, tag] = process.argv.slice(2);
if (!apiDir || !machineryDir || !tag) {
  console.error('usage: gen-protobuf-table.mjs <api git dir> <apimachinery git dir> <tag>');
  process.exit(2);
}

/** Our package id → where its Go types and .proto live. */
const packages = {
  'core/v1': [apiDir, 'core/v1'],
  'apps/v1': [apiDir, 'apps/v1'],
  'batch/v1': [apiDir, 'batch/v1'],
  'networking/v1': [apiDir, 'networking/v1'],
  'discovery/v1': [apiDir, 'discovery/v1'],
  'coordination/v1': [apiDir, 'coordination/v1'],
  'scheduling/v1': [apiDir, 'scheduling/v1'],
  'policy/v1': [apiDir, 'policy/v1'],
  'storage/v1': [apiDir, 'storage/v1'],
  'autoscaling/v1': [apiDir, 'autoscaling/v1'],
  'authentication/v1': [apiDir, 'authentication/v1'],
  'meta/v1': [machineryDir, 'pkg/apis/meta/v1'],
};

/** apiVersion/kind → [package, Go type]: every kind of src/core/api/kinds.ts plus subresource bodies. */
const roots = [
  ['v1/Pod', 'core/v1', 'Pod'],
  ['v1/Node', 'core/v1', 'Node'],
  ['v1/Namespace', 'core/v1', 'Namespace'],
  ['v1/Service', 'core/v1', 'Service'],
  ['v1/Endpoints', 'core/v1', 'Endpoints'],
  ['v1/ConfigMap', 'core/v1', 'ConfigMap'],
  ['v1/Secret', 'core/v1', 'Secret'],
  ['v1/Event', 'core/v1', 'Event'],
  ['v1/PersistentVolume', 'core/v1', 'PersistentVolume'],
  ['v1/PersistentVolumeClaim', 'core/v1', 'PersistentVolumeClaim'],
  ['v1/ServiceAccount', 'core/v1', 'ServiceAccount'],
  ['v1/Binding', 'core/v1', 'Binding'],
  ['apps/v1/Deployment', 'apps/v1', 'Deployment'],
  ['apps/v1/ReplicaSet', 'apps/v1', 'ReplicaSet'],
  ['apps/v1/StatefulSet', 'apps/v1', 'StatefulSet'],
  ['apps/v1/DaemonSet', 'apps/v1', 'DaemonSet'],
  ['apps/v1/ControllerRevision', 'apps/v1', 'ControllerRevision'],
  ['batch/v1/Job', 'batch/v1', 'Job'],
  ['batch/v1/CronJob', 'batch/v1', 'CronJob'],
  ['networking.k8s.io/v1/Ingress', 'networking/v1', 'Ingress'],
  ['networking.k8s.io/v1/IngressClass', 'networking/v1', 'IngressClass'],
  ['discovery.k8s.io/v1/EndpointSlice', 'discovery/v1', 'EndpointSlice'],
  ['coordination.k8s.io/v1/Lease', 'coordination/v1', 'Lease'],
  ['scheduling.k8s.io/v1/PriorityClass', 'scheduling/v1', 'PriorityClass'],
  ['policy/v1/PodDisruptionBudget', 'policy/v1', 'PodDisruptionBudget'],
  ['policy/v1/Eviction', 'policy/v1', 'Eviction'],
  ['storage.k8s.io/v1/StorageClass', 'storage/v1', 'StorageClass'],
  ['autoscaling/v1/Scale', 'autoscaling/v1', 'Scale'],
  ['authentication.k8s.io/v1/TokenRequest', 'authentication/v1', 'TokenRequest'],
  ['meta.k8s.io/v1/DeleteOptions', 'meta/v1', 'DeleteOptions'],
];

/** Types whose protobuf and JSON forms are hand-written in Go (custom Marshal/MarshalJSON). */
const special = {
  'meta/v1.Time': 'T',
  'meta/v1.MicroTime': 'M',
  'meta/v1.Duration': 'D',
  'meta/v1.FieldsV1': 'F',
  'resource.Quantity': 'Q',
  'intstr.IntOrString': 'O',
  'runtime.RawExtension': 'R',
  'types.UID': 's',
  'types.NodeName': 's',
};

function gitShow(dir, path) {
  return execFileSync('git', ['--git-dir', dir, 'show', `${tag}:${path}`], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

/** Go import path → our package id (or a special package name). */
function packageOfImport(path) {
  let m = /^k8s\.io\/api\/([a-z]+)\/(v[0-9a-z]+)$/.exec(path);
  if (m) return `${m[1]}/${m[2]}`;
  if (path === 'k8s.io/apimachinery/pkg/apis/meta/v1') return 'meta/v1';
  m = /^k8s\.io\/apimachinery\/pkg\/(?:api|util|)\/?([a-z]+)$/.exec(path);
  if (m) return m[1];
  return undefined;
}

/** Parses one Go file: imports, struct types (fields with tags) and other named types. */
function parseGo(rawSrc, pkg, into) {
  // Block comments hold prose that is not Go (and never contain struct fields).
  const src = rawSrc.replace(/\/\*[\s\S]*?\*\//g, '');
  const imports = new Map();
  const importBlock = /^import \(([\s\S]*?)^\)/m.exec(src);
  const importLines = importBlock ? importBlock[1].split('\n') : [];
  for (const single of src.matchAll(/^import (.*)$/gm)) importLines.push(single[1]);
  for (const line of importLines) {
    const m = /^\s*([A-Za-z0-9_]+\s+)?"([^"]+)"/.exec(line);
    if (!m) continue;
    const path = m[2];
    const alias = m[1] ? m[1].trim() : path.slice(path.lastIndexOf('/') + 1);
    const id = packageOfImport(path);
    if (id) imports.set(alias, id);
  }
  const lines = src.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m = /^type ([A-Z][A-Za-z0-9]*) struct \{\s*$/.exec(line);
    if (m) {
      const fields = [];
      for (i++; i < lines.length && lines[i] !== '}'; i++) {
        const l = lines[i].replace(/^\s+/, '');
        if (l === '' || l.startsWith('//')) continue;
        // `Name Type `tags`` or embedded `Type `tags``
        const fm = /^(?:([A-Z][A-Za-z0-9]*)\s+)?(\S+)\s*(?:`([^`]*)`)?\s*(?:\/\/.*)?$/.exec(l);
        if (!fm) throw new Error(`${pkg}.${m[1]}: cannot parse field line: ${l}`);
        fields.push({ goName: fm[1], goType: fm[2], tags: parseTags(fm[3] ?? '') });
      }
      into.set(`${pkg}.${m[1]}`, { kind: 'struct', pkg, name: m[1], fields, imports });
      continue;
    }
    m = /^type ([A-Z][A-Za-z0-9]*) =? ?(\S+)\s*(?:\/\/.*)?$/.exec(line);
    if (m && m[2] !== 'struct' && m[2] !== 'interface') {
      into.set(`${pkg}.${m[1]}`, { kind: 'named', pkg, name: m[1], goType: m[2], imports });
    }
  }
}

function parseTags(s) {
  const tags = {};
  for (const m of s.matchAll(/([a-z_]+):"([^"]*)"/g)) tags[m[1]] = m[2];
  return tags;
}

/** Parses message → field name → {number, repeated} from a generated.proto. */
function parseProto(src, pkg, into) {
  let current;
  for (const line of src.split('\n')) {
    let m = /^message ([A-Za-z0-9]+) \{/.exec(line);
    if (m) {
      current = new Map();
      into.set(`${pkg}.${m[1]}`, current);
      continue;
    }
    if (line === '}') {
      current = undefined;
      continue;
    }
    m = /^\s+(optional|repeated|required)?\s*(map<[^>]+>|[A-Za-z0-9_.]+) ([A-Za-z0-9_]+) = ([0-9]+);/.exec(line);
    if (m && current) current.set(m[3], { number: Number(m[4]), repeated: m[1] === 'repeated' || m[2].startsWith('map<'), type: m[2] });
  }
}

const goTypes = new Map();
const protoMessages = new Map();
for (const [pkg, [dir, path]] of Object.entries(packages)) {
  parseGo(gitShow(dir, `${path}/types.go`), pkg, goTypes);
  parseProto(gitShow(dir, `${path}/generated.proto`), pkg, protoMessages);
}

const scalars = { string: 's', bool: 'b', int32: 'i', int64: 'l', int: 'l', float64: 'd', float32: 'f' };

/**
 * Go type expression → { code, pointer }. Codes: s b i l d f y(bytes) T M D F Q O R, a message type
 * name `pkg.Type`, `[X` a slice of X, `{X` a map from string to X.
 */
function resolve(goType, ctx, queue) {
  if (goType.startsWith('*')) return { ...resolve(goType.slice(1), ctx, queue), pointer: true };
  if (goType === '[]byte') return { code: 'y', pointer: false };
  if (goType.startsWith('[]')) return { code: `[${resolve(goType.slice(2), ctx, queue).code}`, pointer: false };
  const mm = /^map\[([^\]]+)\](.+)$/.exec(goType);
  if (mm) {
    if (resolve(mm[1], ctx, queue).code !== 's') throw new Error(`${ctx.name}: map key ${mm[1]} is not a string`);
    return { code: `{${resolve(mm[2], ctx, queue).code}`, pointer: false };
  }
  if (scalars[goType]) return { code: scalars[goType], pointer: false };
  let qualified;
  const dot = goType.indexOf('.');
  if (dot >= 0) {
    const pkg = ctx.imports.get(goType.slice(0, dot));
    if (!pkg) throw new Error(`${ctx.pkg}.${ctx.name}: unknown package in ${goType}`);
    qualified = `${pkg}.${goType.slice(dot + 1)}`;
  } else {
    qualified = `${ctx.pkg}.${goType}`;
  }
  if (special[qualified]) return { code: special[qualified], pointer: false };
  const t = goTypes.get(qualified);
  if (!t) throw new Error(`${ctx.pkg}.${ctx.name}: unresolved type ${goType} (${qualified})`);
  if (t.kind === 'named') return resolve(t.goType, t, queue);
  queue.push(qualified);
  return { code: qualified, pointer: false };
}

const wireOf = { s: 'bytes', y: 'bytes', b: 'varint', i: 'varint', l: 'varint', d: 'fixed64', f: 'fixed32' };

/** proto scalar type → the codes a Go field of that type may resolve to. */
const protoScalars = { string: 'sy', bytes: 'y', int32: 'i', int64: 'l', bool: 'b', double: 'd', float: 'f' };
const lowerFirst = (s) => s.slice(s.lastIndexOf('.') + 1).replace(/^[A-Z]/, (c) => c.toLowerCase());

const out = new Map();
const queue = roots.map(([, pkg, name]) => `${pkg}.${name}`);
const warnings = [];
while (queue.length > 0) {
  const name = queue.shift();
  if (out.has(name)) continue;
  const t = goTypes.get(name);
  if (!t || t.kind !== 'struct') throw new Error(`not a struct: ${name}`);
  const proto = protoMessages.get(name);
  if (!proto) throw new Error(`no message ${name} in generated.proto`);
  const rows = [];
  for (const f of t.fields) {
    const pb = f.tags.protobuf;
    const json = f.tags.json ?? '';
    if (pb === undefined || pb === '-') {
      if (json !== '-' && !(f.goName === undefined && /TypeMeta$/.test(f.goType))) {
        warnings.push(`${name}.${f.goName ?? f.goType}: no protobuf tag, not decodable`);
      }
      continue;
    }
    const [wire, num, ...opts] = pb.split(',');
    const label = opts.find((o) => o === 'opt' || o === 'rep' || o === 'req') ?? 'opt';
    const protoName = opts.find((o) => o.startsWith('name='))?.slice(5);
    const [jsonName, ...jsonOpts] = json.split(',');
    const inline = jsonOpts.includes('inline') || (f.goName === undefined && jsonName === '');
    const omitEmpty = jsonOpts.includes('omitempty');
    const { code, pointer } = resolve(f.goType, t, queue);
    const repeated = code.startsWith('[') || code.startsWith('{');
    // The tag's label is not always right (EndpointSlice.addressType says rep); the Go type and
    // generated.proto decide, and must agree.
    if ((label === 'rep') !== repeated) warnings.push(`${name}.${f.goName}: tag label ${label}, type ${code}`);
    const elem = repeated ? code.slice(1) : code;
    const expectWire = wireOf[elem] ?? 'bytes';
    if (wire !== expectWire && !code.startsWith('{')) {
      warnings.push(`${name}.${f.goName}: tag wire ${wire}, type ${code}`);
    }
    // generated.proto is what the marshalling code was generated from: it decides.
    const p = proto.get(protoName ?? lowerFirst(f.goName ?? f.goType));
    if (!p) throw new Error(`${name}.${protoName}: not in generated.proto`);
    if (p.number !== Number(num) || p.repeated !== repeated) {
      throw new Error(`${name}.${protoName}: tag says ${num}/${label}, proto says ${p.number}/${p.repeated}`);
    }
    const protoElem = code.startsWith('{') ? /,\s*([A-Za-z0-9_.]+)>$/.exec(p.type)[1] : p.type;
    const expectElem = protoScalars[protoElem];
    if (expectElem !== undefined ? !expectElem.includes(elem) : elem.length === 1 && !'TMDFQOR'.includes(elem)) {
      throw new Error(`${name}.${protoName}: Go type ${code}, proto type ${p.type}`);
    }
    const flags = `${omitEmpty ? 'o' : ''}${pointer ? 'p' : ''}${inline ? 'n' : ''}`;
    rows.push(`${num}:${inline ? '' : jsonName || f.goName}:${code}${flags ? `:${flags}` : ''}`);
  }
  out.set(name, rows);
}

const shortName = (q) => q.replace('/v1.', '.');
const typeLines = [...out.entries()]
  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  .map(([name, rows]) => {
    const text = rows.map((r) => r.replace(/(?<=:[[{]?)([a-z]+\/v1\.[A-Za-z0-9]+)/, (q) => shortName(q))).join(' ');
    return `  '${shortName(name)}': '${text}',`;
  });
const rootLines = roots.map(([gvk, pkg, name]) => `  '${gvk}': '${shortName(`${pkg}.${name}`)}',`);

const file = `// Generated by scripts/gen-protobuf-table.mjs from the Go struct tags of k8s.io/api and
// k8s.io/apimachinery ${tag} (field numbers cross-checked against their generated.proto). Do not edit.
//
// One entry per message: space-separated fields \`number:jsonName:type[:flags]\`.
// type: s string · b bool · i int32 · l int64 · d double · f float · y bytes (base64 in JSON) ·
//   T metav1.Time · M metav1.MicroTime · D metav1.Duration · F metav1.FieldsV1 ·
//   Q resource.Quantity · O intstr.IntOrString · R runtime.RawExtension · otherwise a message name;
//   a leading [ is a repeated field, a leading { a map from string keys.
// flags (Go facts that decide the JSON): o omitempty · p pointer · n inline (fields merged into the
//   parent's JSON object, jsonName empty).

/** apiVersion/kind → root message. */
export const protobufRoots: Readonly<Record<string, string>> = {
${rootLines.join('\n')}
};

/** message → its fields. */
export const protobufMessages: Readonly<Record<string, string>> = {
${typeLines.join('\n')}
};
`;
const target = new URL('../src/net/wire/protobuf/table.ts', import.meta.url).pathname;
writeFileSync(target, file);
for (const w of warnings) console.error(`warning: ${w}`);
console.error(`wrote ${target}: ${out.size} messages, ${roots.length} roots`);
