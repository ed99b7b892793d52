/** A KubeSchedulerConfiguration as YAML text or as an already-parsed object. */
export type SchedulerConfigInput = string | Readonly<Record<string, unknown>>;
