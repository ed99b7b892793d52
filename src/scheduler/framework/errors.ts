// Start-up errors of the scheduler's configuration: each names the field, in Kubernetes' field-path
// syntax (`profiles[0].plugins.score.enabled[1].weight`), so a user can find the line to fix.

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

export function invalidValue(field: string, value: unknown, detail: string): ConfigError {
  return new ConfigError(field, `Invalid value: ${JSON.stringify(value)}: ${detail}`);
}

export function requiredValue(field: string): ConfigError {
  return new ConfigError(field, 'Required value');
}

/** Reads a plain-object field of plugin args, naming the field when it is not an object. */
export function objectArg(value: unknown, field: string): Readonly<Record<string, unknown>> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidValue(field, value, 'must be an object');
  return value as Record<string, unknown>;
}

export function arrayArg(value: unknown, field: string): readonly unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidValue(field, value, 'must be a list');
  return value;
}

export function intArg(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidValue(field, value, 'must be an integer');
  if (value < min || value > max) throw invalidValue(field, value, `must be in the range [${min}, ${max}]`);
  return value;
}

export function stringArg(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidValue(field, value, 'must be a string');
  return value;
}

/** Rejects keys the args type does not have (kube-scheduler decodes args strictly). */
export function onlyKeys(obj: Readonly<Record<string, unknown>>, field: string, allowed: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new ConfigError(`${field}.${k}`, 'unknown field');
  }
}
