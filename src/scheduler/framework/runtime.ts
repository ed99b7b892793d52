// A profile's framework: its plugins built once and sorted into the extension points, with score
// weights and each filter plugin's reason range. The scheduling engine walks these lists.
import { ConfigError, invalidValue } from './errors.js';
import type { PluginRef, ProfileConfig } from './config.js';
import {
  implementsPoint,
  type BindPlugin,
  type ExtensionPoint,
  type FactoryHandle,
  type FilterPlugin,
  type FilterReason,
  type Plugin,
  type PermitPlugin,
  type PostBindPlugin,
  type PostFilterPlugin,
  type PreBindPlugin,
  type PreEnqueuePlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
} from './interfaces.js';
import type { Registry } from './registry.js';

export interface Framework {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore: number;
  readonly plugins: ReadonlyMap<string, Plugin>;
  readonly preEnqueue: readonly PreEnqueuePlugin[];
  readonly queueSort: QueueSortPlugin;
  readonly preFilter: readonly PreFilterPlugin[];
  readonly filter: readonly FilterPlugin[];
  /** filterReasonBase[i]: the verdict offset of filter[i] (see FilterPlugin.filter). */
  readonly filterReasonBase: readonly number[];
  /** Verdict v > 0 → reasons[v - 1]: the flat table of every filter plugin's reasons. */
  readonly reasons: readonly { readonly plugin: number; readonly reason: number; readonly r: FilterReason }[];
  readonly postFilter: readonly PostFilterPlugin[];
  readonly preScore: readonly PreScorePlugin[];
  readonly score: readonly ScorePlugin[];
  readonly scoreWeights: readonly number[];
  readonly reserve: readonly ReservePlugin[];
  readonly permit: readonly PermitPlugin[];
  readonly preBind: readonly PreBindPlugin[];
  readonly bind: readonly BindPlugin[];
  readonly postBind: readonly PostBindPlugin[];
}

interface Enabled {
  readonly name: string;
  readonly weight: number | undefined;
  readonly field: string;
}

function pointList(profile: ProfileConfig, point: ExtensionPoint, plugins: Map<string, Plugin>): Enabled[] {
  const list: Enabled[] = [];
  for (const [i, r] of profile.multiPoint.entries()) {
    const p = plugins.get(r.name);
    if (p !== undefined && implementsPoint(p, point)) {
      list.push({ name: r.name, weight: r.weight, field: `${profile.field}.plugins.multiPoint.enabled[${i}]` });
    }
  }
  const own = profile.points[point];
  if (own === undefined) return list;
  const kept = own.disabled.includes('*') ? [] : list.filter((e) => !own.disabled.includes(e.name));
  const explicit: Enabled[] = [];
  for (const [i, r] of (own.enabled as readonly PluginRef[]).entries()) {
    const field = `${own.field}.enabled[${i}]`;
    const p = plugins.get(r.name);
    if (p !== undefined && !implementsPoint(p, point)) {
      throw invalidValue(`${field}.name`, r.name, `plugin does not implement the ${point} extension point`);
    }
    if (explicit.some((e) => e.name === r.name)) throw invalidValue(`${field}.name`, r.name, 'plugin is enabled twice');
    const at = kept.findIndex((e) => e.name === r.name);
    if (at >= 0) kept.splice(at, 1); // explicitly enabled: moves first, its weight wins
    explicit.push({ name: r.name, weight: r.weight ?? kept[at]?.weight, field });
  }
  // kube-scheduler: plugins enabled at a specific point run before multiPoint ones.
  return [...explicit, ...kept];
}

/** Every name the profile mentions as enabled, with the field that enabled it first. */
function enabledNames(profile: ProfileConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, r] of profile.multiPoint.entries()) {
    if (!out.has(r.name)) out.set(r.name, `${profile.field}.plugins.multiPoint.enabled[${i}].name`);
  }
  for (const own of Object.values(profile.points)) {
    if (own === undefined) continue;
    for (const [i, r] of own.enabled.entries()) if (!out.has(r.name)) out.set(r.name, `${own.field}.enabled[${i}].name`);
  }
  return out;
}

/** Builds a profile's plugins and lists. ConfigError (naming the field) on any problem. */
export function buildFramework(profile: ProfileConfig, registry: Registry, handle: FactoryHandle): Framework {
  const plugins = new Map<string, Plugin>();
  for (const [name, field] of enabledNames(profile)) {
    if (!registry.has(name)) throw invalidValue(field, name, 'plugin does not exist in the registry');
    const argsField = profile.argsField.get(name) ?? `${profile.field}.pluginConfig[${name}].args`;
    plugins.set(name, registry.create(name, profile.args.get(name), argsField, handle));
  }
  for (const name of profile.args.keys()) {
    if (!registry.has(name)) {
      throw invalidValue(`${(profile.argsField.get(name) ?? '').replace(/\.args$/, '')}.name`, name, 'plugin does not exist in the registry');
    }
  }
  const get = <T extends Plugin>(point: ExtensionPoint): { list: T[]; entries: Enabled[] } => {
    const entries = pointList(profile, point, plugins);
    return { list: entries.map((e) => plugins.get(e.name) as T), entries };
  };
  const queueSort = get<QueueSortPlugin>('queueSort');
  if (queueSort.list.length !== 1) {
    throw new ConfigError(`${profile.field}.plugins.queueSort`, `Invalid value: ${queueSort.list.length} queue sort plugins: exactly one is required`);
  }
  const bind = get<BindPlugin>('bind');
  if (bind.list.length === 0) throw new ConfigError(`${profile.field}.plugins.bind`, 'Required value: at least one bind plugin is needed');
  const filter = get<FilterPlugin>('filter');
  const filterReasonBase: number[] = [];
  const reasons: { plugin: number; reason: number; r: FilterReason }[] = [];
  for (const [i, p] of filter.list.entries()) {
    filterReasonBase.push(reasons.length);
    for (const [k, r] of p.reasons.entries()) reasons.push({ plugin: i, reason: k, r });
  }
  if (reasons.length >= 0xffff) throw new Error('too many filter reasons for a Uint16 verdict');
  const score = get<ScorePlugin>('score');
  const scoreWeights = score.entries.map((e) => e.weight ?? 1);
  return {
    schedulerName: profile.schedulerName,
    // 0 is kube-scheduler's adaptive percentage (see nodes-to-find.ts).
    percentageOfNodesToScore: profile.percentageOfNodesToScore,
    plugins,
    preEnqueue: get<PreEnqueuePlugin>('preEnqueue').list,
    queueSort: queueSort.list[0] as QueueSortPlugin,
    preFilter: get<PreFilterPlugin>('preFilter').list,
    filter: filter.list,
    filterReasonBase,
    reasons,
    postFilter: get<PostFilterPlugin>('postFilter').list,
    preScore: get<PreScorePlugin>('preScore').list,
    score: score.list,
    scoreWeights,
    reserve: get<ReservePlugin>('reserve').list,
    permit: get<PermitPlugin>('permit').list,
    preBind: get<PreBindPlugin>('preBind').list,
    bind: bind.list,
    postBind: get<PostBindPlugin>('postBind').list,
  };
}
