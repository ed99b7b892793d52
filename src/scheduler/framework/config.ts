// Profiles from a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), YAML or object:
//
//   apiVersion: kubescheduler.config.k8s.io/v1
//   kind: KubeSchedulerConfiguration
//   percentageOfNodesToScore: 100
//   profiles:
//   - schedulerName: default-scheduler
//     plugins:
//       multiPoint: { enabled: [{ name: X, weight: 2 }], disabled: [{ name: '*' }] }
//       score:      { enabled: [...], disabled: [...] }      # per extension point
//     pluginConfig:
//     - name: NodeResourcesFit
//       args: { scoringStrategy: { type: MostAllocated } }
//
// percentageOfNodesToScore (global, or per profile, which wins): as kube-scheduler (see
// nodes-to-find.ts), 0 is the adaptive percentage (50 − nodes/125, at least 5%, at least 100
// nodes). Unlike kube-scheduler, whose unset global means 0, Coxswain's default when the field is
// unset is 100: every feasible node is scored. Set 0 for kube-scheduler's behaviour.
//
// Resolution follows kube-scheduler: start from the default plugins (multiPoint, with default
// weights); apply the profile's multiPoint disabled ('*' = all defaults) then enabled; a multiPoint
// plugin is on at every point it implements; then each point's own disabled / enabled lists. Every
// problem is a ConfigError naming the field, raised at start-up.
import { parse as parseYaml } from 'yaml';
import { ConfigError, arrayArg, intArg, invalidValue, objectArg, onlyKeys, requiredValue, stringArg } from './errors.js';
import { defaultSchedulerName, maxWeight, names } from './names.js';
import type { ExtensionPoint } from './interfaces.js';
import { extensionPoints } from './interfaces.js';

export const configApiVersion = 'kubescheduler.config.k8s.io/v1';
export const configKind = 'KubeSchedulerConfiguration';

export interface PluginRef {
  readonly name: string;
  readonly weight?: number;
}

/** kube-scheduler 1.32's default profile (getDefaultPlugins): multiPoint, in order, with weights. */
export const defaultPlugins: readonly PluginRef[] = Object.freeze([
  { name: names.SchedulingGates },
  { name: names.PrioritySort },
  { name: names.NodeUnschedulable },
  { name: names.NodeName },
  { name: names.TaintToleration, weight: 3 },
  { name: names.NodeAffinity, weight: 2 },
  { name: names.NodePorts },
  { name: names.NodeResourcesFit, weight: 1 },
  { name: names.VolumeRestrictions },
  { name: names.VolumeBinding },
  { name: names.PodTopologySpread, weight: 2 },
  { name: names.InterPodAffinity, weight: 2 },
  { name: names.DefaultPreemption },
  { name: names.NodeResourcesBalancedAllocation, weight: 1 },
  { name: names.ImageLocality, weight: 1 },
  { name: names.DefaultBinder },
]);

/** A profile before plugins are built: names per point, score weights, args by plugin. */
export interface ProfileConfig {
  readonly schedulerName: string;
  /**
   * The share of nodes to find feasible before scoring (numFeasibleNodesToFind): 100, the default,
   * scores every feasible node; 0 is kube-scheduler's adaptive percentage (10 % of 5,000 nodes).
   */
  readonly percentageOfNodesToScore: number;
  /** Plugin names enabled at multiPoint (in order) with their weights. */
  readonly multiPoint: readonly PluginRef[];
  /** Per-point overrides as written by the user. */
  readonly points: { readonly [P in ExtensionPoint]?: PointConfig };
  readonly args: ReadonlyMap<string, unknown>;
  /** The field path of each plugin's args, for error messages. */
  readonly argsField: ReadonlyMap<string, string>;
  /** Field path of the profile (`profiles[0]`). */
  readonly field: string;
}

export interface PointConfig {
  readonly enabled: readonly PluginRef[];
  readonly disabled: readonly string[];
  readonly field: string;
}

export interface SchedulerConfig {
  readonly percentageOfNodesToScore: number;
  readonly profiles: readonly ProfileConfig[];
}

const pointKeys: readonly string[] = ['multiPoint', ...extensionPoints];

function pluginList(value: unknown, field: string, withWeight: boolean): PluginRef[] {
  const list = arrayArg(value, field) ?? [];
  return list.map((item, i) => {
    const f = `${field}[${i}]`;
    const o = objectArg(item, f);
    if (o === undefined) throw requiredValue(`${f}.name`);
    onlyKeys(o, f, ['name', 'weight']);
    const name = stringArg(o['name'], `${f}.name`);
    if (name === undefined || name === '') throw requiredValue(`${f}.name`);
    if (!withWeight && o['weight'] !== undefined) throw new ConfigError(`${f}.weight`, 'Forbidden: weight is only meaningful for score and multiPoint');
    const weight = intArg(o['weight'], `${f}.weight`, 0, maxWeight);
    // As in kube-scheduler, an unset or zero weight means the default.
    return weight === undefined || weight === 0 ? { name } : { name, weight };
  });
}

function parseProfile(value: unknown, field: string, globalPct: number): ProfileConfig {
  const o = objectArg(value, field) ?? {};
  onlyKeys(o, field, ['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig']);
  const schedulerName = stringArg(o['schedulerName'], `${field}.schedulerName`) ?? defaultSchedulerName;
  if (schedulerName === '') throw requiredValue(`${field}.schedulerName`);
  const pct = intArg(o['percentageOfNodesToScore'], `${field}.percentageOfNodesToScore`, 0, 100) ?? globalPct;
  const plugins = objectArg(o['plugins'], `${field}.plugins`) ?? {};
  onlyKeys(plugins, `${field}.plugins`, pointKeys);
  const points: { [P in ExtensionPoint]?: PointConfig } = {};
  let multiPoint: PluginRef[] = defaultPlugins.slice();
  for (const key of pointKeys) {
    const pf = `${field}.plugins.${key}`;
    const p = objectArg(plugins[key], pf);
    if (p === undefined) continue;
    onlyKeys(p, pf, ['enabled', 'disabled']);
    const withWeight = key === 'score' || key === 'multiPoint';
    const enabled = pluginList(p['enabled'], `${pf}.enabled`, withWeight);
    const disabled = pluginList(p['disabled'], `${pf}.disabled`, false).map((r) => r.name);
    if (key === 'multiPoint') {
      multiPoint = disabled.includes('*') ? [] : multiPoint.filter((r) => !disabled.includes(r.name));
      for (const [i, r] of enabled.entries()) {
        const at = multiPoint.findIndex((d) => d.name === r.name);
        if (at >= 0) {
          // Re-enabling a default plugin overrides its weight (kube: "overrides the default").
          multiPoint[at] = r.weight === undefined ? (multiPoint[at] as PluginRef) : r;
        } else if (enabled.findIndex((e) => e.name === r.name) !== i) {
          throw invalidValue(`${pf}.enabled[${i}].name`, r.name, 'plugin is enabled twice');
        } else multiPoint.push(r);
      }
    } else {
      points[key as ExtensionPoint] = { enabled, disabled, field: pf };
    }
  }
  const args = new Map<string, unknown>();
  const argsField = new Map<string, string>();
  const configList = arrayArg(o['pluginConfig'], `${field}.pluginConfig`) ?? [];
  for (const [i, item] of configList.entries()) {
    const f = `${field}.pluginConfig[${i}]`;
    const c = objectArg(item, f) ?? {};
    onlyKeys(c, f, ['name', 'args']);
    const name = stringArg(c['name'], `${f}.name`);
    if (name === undefined || name === '') throw requiredValue(`${f}.name`);
    if (args.has(name)) throw invalidValue(`${f}.name`, name, 'duplicate pluginConfig entry');
    args.set(name, c['args'] ?? {});
    argsField.set(name, `${f}.args`);
  }
  return { schedulerName, percentageOfNodesToScore: pct, multiPoint, points, args, argsField, field };
}

/** Parses a KubeSchedulerConfiguration (object or YAML text). No profiles means the default profile. */
export function parseSchedulerConfig(input: unknown): SchedulerConfig {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = parseYaml(input);
    } catch (e) {
      throw new ConfigError('<config>', `not valid YAML: ${(e as Error).message}`);
    }
  }
  const o = objectArg(doc ?? {}, '<config>') ?? {};
  const apiVersion = o['apiVersion'];
  if (apiVersion !== undefined && apiVersion !== configApiVersion) {
    throw invalidValue('apiVersion', apiVersion, `must be "${configApiVersion}"`);
  }
  if (o['kind'] !== undefined && o['kind'] !== configKind) throw invalidValue('kind', o['kind'], `must be "${configKind}"`);
  // Fields of the whole file the library does not use (leader election, clientConnection…) are
  // accepted and ignored, so a kube-scheduler file loads as it is.
  const pct = intArg(o['percentageOfNodesToScore'], 'percentageOfNodesToScore', 0, 100) ?? 100;
  const list = arrayArg(o['profiles'], 'profiles') ?? [{}];
  const profiles = list.map((p, i) => parseProfile(p, `profiles[${i}]`, pct));
  const seen = new Map<string, number>();
  for (const [i, p] of profiles.entries()) {
    const prev = seen.get(p.schedulerName);
    if (prev !== undefined) throw new ConfigError(`profiles[${i}].schedulerName`, `Duplicate value: "${p.schedulerName}"`);
    seen.set(p.schedulerName, i);
  }
  return { percentageOfNodesToScore: pct, profiles };
}

/** The default configuration: one default-scheduler profile with the default plugins. */
export function defaultSchedulerConfig(): SchedulerConfig {
  return parseSchedulerConfig({});
}
