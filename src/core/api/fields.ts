// Field selectors (k8s.io/apimachinery/pkg/fields) and the fields each resource can be selected
// on (the field label conversion funcs and ToSelectableFields of kube-apiserver's registries).
//
//   ?fieldSelector=spec.nodeName=node-1,status.phase!=Succeeded
//
// Terms are joined by ',' and ANDed; operators are '=', '==' (the same) and '!='. In a value,
// '\' escapes '\', ',' and '='. A field an object does not have reads as "", as in Kubernetes
// (`spec.nodeName=` selects unscheduled pods).

import { goQuote } from './labels.js';

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  /** '==' is parsed as '=', as Kubernetes does. */
  readonly operator: FieldOperator;
  /** Unescaped. */
  readonly value: string;
}

/** Reads one field of an object; undefined (or a field it does not know) reads as "". */
export type FieldGetter = (field: string) => string | undefined;

export interface FieldSelector {
  /** In the order Kubernetes keeps them: terms sorted by their text. */
  readonly requirements: readonly FieldRequirement[];
  matches(fields: FieldGetter): boolean;
  /** Terms joined by ',', values escaped; "" when empty. */
  toString(): string;
  /** No requirements: matches everything. */
  readonly empty: boolean;
  /** The value a field must have, when an '=' requirement on it says so. */
  requiresExactMatch(field: string): string | undefined;
}

/** An invalid field selector; the message is the one Kubernetes gives. */
export class FieldSelectorError extends Error {
  override readonly name = 'FieldSelectorError';
}

// ---------------------------------------------------------------------------------------------
// Escaping

/** fields.EscapeValue: '\' → '\\', ',' → '\,', '=' → '\='. */
export function escapeFieldValue(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 44 || c === 61) {
      out += `${s.slice(from, i)}\\${s.charAt(i)}`;
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/** fields.UnescapeValue; throws FieldSelectorError on a bad escape or a bare ',' or '='. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const ch of s) {
    if (inSlash) {
      if (ch === '\\' || ch === ',' || ch === '=') out += ch;
      else throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${ch}`);
      inSlash = false;
      continue;
    }
    if (ch === '\\') inSlash = true;
    else if (ch === ',' || ch === '=') {
      // Go prints the rune with %v: its code point number.
      throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${ch.charCodeAt(0)}`);
    } else out += ch;
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Selectors

const opEquals = 0;
const opNotEquals = 1;

class Requirement implements FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
  readonly op: number;

  constructor(field: string, operator: FieldOperator, value: string) {
    this.field = field;
    this.operator = operator;
    this.value = value;
    this.op = operator === '=' ? opEquals : opNotEquals;
    Object.freeze(this); // shared between requests through the parse cache
  }
}

class Selector implements FieldSelector {
  readonly requirements: readonly Requirement[];
  readonly empty: boolean;
  private readonly text: string;

  constructor(requirements: readonly Requirement[]) {
    this.requirements = requirements;
    this.empty = requirements.length === 0;
    this.text = requirements
      .map((r) => `${r.field}${r.op === opEquals ? '=' : '!='}${escapeFieldValue(r.value)}`)
      .join(',');
  }

  matches(fields: FieldGetter): boolean {
    const reqs = this.requirements;
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i] as Requirement;
      const v = fields(r.field) ?? '';
      if ((v === r.value) !== (r.op === opEquals)) return false;
    }
    return true;
  }

  toString(): string {
    return this.text;
  }

  requiresExactMatch(field: string): string | undefined {
    for (const r of this.requirements) if (r.field === field && r.op === opEquals) return r.value;
    return undefined;
  }
}

/** Matches everything (fields.Everything()). */
export const everythingFieldSelector: FieldSelector = Object.freeze(new Selector([]));

/** A selector of the given requirements, kept in the given order. */
export function newFieldSelector(requirements: readonly FieldRequirement[]): FieldSelector {
  return new Selector(Object.freeze(requirements.map((r) => new Requirement(r.field, r.operator, r.value))));
}

/** splitTerms: split on ',' not escaped by '\'. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inSlash) inSlash = false;
    else if (c === 92) inSlash = true;
    else if (c === 44) {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// Selectors are immutable, so a parsed one is shared by every request that sends the same text
// (informers and controllers repeat theirs). Two generations bound the cache: when the young one
// is full it becomes the old one, and what is still in use is promoted back on its next lookup.
const parsedGenerationMax = 512;
let parsedYoung = new Map<string, FieldSelector>();
let parsedOld = new Map<string, FieldSelector>();

function rememberParsed(s: string, selector: FieldSelector): void {
  if (s.length > 4096) return;
  if (parsedYoung.size >= parsedGenerationMax) {
    parsedOld = parsedYoung;
    parsedYoung = new Map();
  }
  parsedYoung.set(s, selector);
}

/** fields.ParseSelector. "" → everything. Throws FieldSelectorError with Kubernetes' messages. */
export function parseFieldSelector(s: string): FieldSelector {
  const young = parsedYoung.get(s);
  if (young !== undefined) return young;
  const old = parsedOld.get(s);
  const selector = old ?? parseUncached(s);
  rememberParsed(s, selector);
  return selector;
}

function parseUncached(s: string): FieldSelector {
  const terms = splitTerms(s).sort();
  const requirements: Requirement[] = [];
  for (const term of terms) {
    if (term.length === 0) continue;
    // The first operator from the left; at one position '!=' and '==' win over '='.
    let lhs = '';
    let rhs = '';
    let operator: FieldOperator | null = null;
    for (let i = 0; i < term.length && operator === null; i++) {
      const c = term.charCodeAt(i);
      const next = term.charCodeAt(i + 1);
      if (c === 33 && next === 61) {
        operator = '!=';
        lhs = term.slice(0, i);
        rhs = term.slice(i + 2);
      } else if (c === 61) {
        operator = '=';
        lhs = term.slice(0, i);
        rhs = term.slice(next === 61 ? i + 2 : i + 1);
      }
    }
    if (operator === null) throw new FieldSelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    const value = unescapeFieldValue(rhs);
    // Transform drops a term with neither field nor value ("="): it selects everything.
    if (lhs.length === 0 && value.length === 0) continue;
    requirements.push(new Requirement(lhs, operator, value));
  }
  return requirements.length === 0 ? everythingFieldSelector : new Selector(Object.freeze(requirements));
}

// ---------------------------------------------------------------------------------------------
// Selectable fields per resource

/** The parts of an object the field getters read; everything is optional and may be absent. */
export type SelectableObject = object;

/** Reads one selectable field of an object of a known resource. */
type Accessor = (obj: SelectableObject) => string;

function prop(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function int(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : '0';
}

function bool(v: unknown): string {
  return v === true ? 'true' : 'false';
}

/** A string at obj[a][b]; "" when anything on the way is missing. */
function at(a: string, b: string): Accessor {
  return (obj) => str(prop(prop(obj, a), b));
}

const metaAccessors: Readonly<Record<string, Accessor>> = {
  'metadata.name': at('metadata', 'name'),
  'metadata.namespace': at('metadata', 'namespace'),
};

/** The first of podIPs, as the internal Pod has it; podIP when podIPs is missing. */
function podIP(pod: SelectableObject): string {
  const status = prop(pod, 'status');
  const ips = prop(status, 'podIPs');
  if (Array.isArray(ips) && ips.length > 0) return str(prop(ips[0], 'ip'));
  return str(prop(status, 'podIP'));
}

const podAccessors: Readonly<Record<string, Accessor>> = {
  'spec.nodeName': at('spec', 'nodeName'),
  'spec.restartPolicy': at('spec', 'restartPolicy'),
  'spec.schedulerName': at('spec', 'schedulerName'),
  'spec.serviceAccountName': at('spec', 'serviceAccountName'),
  'spec.hostNetwork': (pod) => bool(prop(prop(pod, 'spec'), 'hostNetwork')),
  'status.phase': at('status', 'phase'),
  'status.podIP': podIP,
  // Accepted by the conversion func but absent from the selectable set: always "".
  'status.podIPs': () => '',
  'status.nominatedNodeName': at('status', 'nominatedNodeName'),
};

// core/v1 names, with the events.k8s.io/v1 names as fallbacks for the same stored Event.
function involved(key: string): Accessor {
  return (event) => str(prop(prop(event, 'involvedObject') ?? prop(event, 'regarding'), key));
}

function reportingController(event: SelectableObject): string {
  const v = prop(event, 'reportingComponent');
  return typeof v === 'string' ? v : str(prop(event, 'reportingController'));
}

const eventAccessors: Readonly<Record<string, Accessor>> = {
  'involvedObject.kind': involved('kind'),
  'involvedObject.namespace': involved('namespace'),
  'involvedObject.name': involved('name'),
  'involvedObject.uid': involved('uid'),
  'involvedObject.apiVersion': involved('apiVersion'),
  'involvedObject.resourceVersion': involved('resourceVersion'),
  'involvedObject.fieldPath': involved('fieldPath'),
  reason: (event) => str(prop(event, 'reason')),
  reportingComponent: reportingController,
  source: (event) => {
    const component = str(prop(prop(event, 'source') ?? prop(event, 'deprecatedSource'), 'component'));
    return component.length > 0 ? component : reportingController(event);
  },
  type: (event) => str(prop(event, 'type')),
};

const replicasAccessors: Readonly<Record<string, Accessor>> = {
  'status.replicas': (obj) => int(prop(prop(obj, 'status'), 'replicas')),
};

interface ResourceFields {
  /** Fields a selector may use (metadata.name and metadata.namespace first; no aliases). */
  readonly fields: readonly string[];
  /** Every accepted field, aliases included, and how to read it. */
  readonly accessors: ReadonlyMap<string, Accessor>;
  /** Old names still accepted, and the field each one means. */
  readonly aliases: ReadonlyMap<string, string>;
  /** kube-apiserver's message for any other field. */
  readonly unsupported: (field: string) => string;
}

/** DefaultMetaV1FieldSelectorConversion's message, for resources without a conversion func. */
function defaultUnsupported(field: string): string {
  return `${goQuote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`;
}

function labelNotSupported(field: string): string {
  return `field label not supported: ${field}`;
}

function resource(
  extra: Readonly<Record<string, Accessor>>,
  unsupported: (field: string) => string,
  aliases: Readonly<Record<string, string>> = {},
): ResourceFields {
  const accessors = new Map<string, Accessor>([...Object.entries(metaAccessors), ...Object.entries(extra)]);
  const fields = Object.freeze([...accessors.keys()]);
  for (const [alias, field] of Object.entries(aliases)) {
    const accessor = accessors.get(field);
    if (accessor === undefined) throw new Error(`alias ${alias} names unknown field ${field}`);
    accessors.set(alias, accessor);
  }
  return Object.freeze({ fields, accessors, aliases: new Map(Object.entries(aliases)), unsupported });
}

const defaultResource = resource({}, defaultUnsupported);

/** Keyed by plural resource name. Resources not listed select on metadata.name/namespace only. */
const resources: ReadonlyMap<string, ResourceFields> = new Map([
  // spec.host: for old v1 clients, as kube-apiserver still accepts it.
  ['pods', resource(podAccessors, labelNotSupported, { 'spec.host': 'spec.nodeName' })],
  ['events', resource(eventAccessors, labelNotSupported)],
  [
    'nodes',
    resource({ 'spec.unschedulable': (node) => bool(prop(prop(node, 'spec'), 'unschedulable')) }, labelNotSupported),
  ],
  ['secrets', resource({ type: (secret) => str(prop(secret, 'type')) }, labelNotSupported)],
  ['namespaces', resource({ 'status.phase': at('status', 'phase') }, labelNotSupported)],
  ['replicationcontrollers', resource(replicasAccessors, labelNotSupported)],
  // Kubernetes documents status.replicas for ReplicaSets but registers no conversion for it
  // (kubernetes#135136); we accept it, and word other fields as kube-apiserver does.
  ['replicasets', resource(replicasAccessors, defaultUnsupported)],
  [
    'jobs',
    resource(
      { 'status.successful': (job) => int(prop(prop(job, 'status'), 'succeeded')) },
      (f) => `field label ${goQuote(f)} not supported for batchv1.Job`,
    ),
  ],
  ['services', resource({ 'spec.clusterIP': at('spec', 'clusterIP'), 'spec.type': at('spec', 'type') }, labelNotSupported)],
  ['certificatesigningrequests', resource({ 'spec.signerName': at('spec', 'signerName') }, labelNotSupported)],
]);

function resourceFields(resourceName: string): ResourceFields {
  return resources.get(resourceName) ?? defaultResource;
}

/** The fields a field selector on this resource may use (metadata.name and metadata.namespace first). */
export function supportedFields(resourceName: string): readonly string[] {
  return resourceFields(resourceName).fields;
}

/**
 * The value of one selectable field of obj, as kube-apiserver's selectable field set has it
 * (booleans "true"/"false", counts in decimal, missing strings ""); undefined for a field the
 * resource does not support. Cluster-scoped objects read metadata.namespace as "".
 */
export function fieldValue(resourceName: string, obj: SelectableObject, field: string): string | undefined {
  return resourceFields(resourceName).accessors.get(field)?.(obj);
}

/** A getter over obj's selectable fields, for FieldSelector.matches. */
export function fieldGetter(resourceName: string, obj: SelectableObject): FieldGetter {
  const accessors = resourceFields(resourceName).accessors;
  return (field) => accessors.get(field)?.(obj);
}

const readsEmpty: Accessor = () => '';

/** Per selector, the accessors of its requirements for the resource it was last used with. */
interface Compiled {
  readonly resourceName: string;
  readonly accessors: readonly Accessor[];
}

const compiledSelectors = new WeakMap<FieldSelector, Compiled>();

function compile(selector: FieldSelector, resourceName: string): Compiled {
  const found = compiledSelectors.get(selector);
  if (found !== undefined && found.resourceName === resourceName) return found;
  const accessors = resourceFields(resourceName).accessors;
  // A field the resource does not have reads as "", as fields.Set.Get does.
  const compiled: Compiled = {
    resourceName,
    accessors: selector.requirements.map((r) => accessors.get(r.field) ?? readsEmpty),
  };
  compiledSelectors.set(selector, compiled);
  return compiled;
}

/** Whether obj (of this resource) matches the selector; the hot path of list and watch filtering. */
export function fieldSelectorMatchesObject(
  selector: FieldSelector,
  resourceName: string,
  obj: SelectableObject,
): boolean {
  const reqs = selector.requirements;
  if (reqs.length === 0) return true;
  const accessors = compile(selector, resourceName).accessors;
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i] as FieldRequirement;
    const v = (accessors[i] as Accessor)(obj);
    if ((v === r.value) !== (r.operator === '=')) return false;
  }
  return true;
}

/**
 * kube-apiserver's check of a field selector against the resource (its field label
 * conversion): the message of the first unsupported field, as the 400 response carries it,
 * or undefined when every field is supported.
 */
export function validateFieldSelector(resourceName: string, selector: FieldSelector): string | undefined {
  const r = resourceFields(resourceName);
  for (const req of selector.requirements) {
    if (!r.accessors.has(req.field)) return r.unsupported(req.field);
  }
  return undefined;
}

/**
 * validateFieldSelector, then old field names replaced by current ones (pods' spec.host →
 * spec.nodeName). Throws FieldSelectorError with kube-apiserver's message.
 */
export function convertFieldSelector(resourceName: string, selector: FieldSelector): FieldSelector {
  const message = validateFieldSelector(resourceName, selector);
  if (message !== undefined) throw new FieldSelectorError(message);
  const aliases = resourceFields(resourceName).aliases;
  if (!selector.requirements.some((r) => aliases.has(r.field))) return selector;
  return newFieldSelector(
    selector.requirements.map((r) => ({ field: aliases.get(r.field) ?? r.field, operator: r.operator, value: r.value })),
  );
}
