// The registry: plugin name → factory. One map per scheduler; out-of-tree plugins are added to it
// before the profiles are built. Factories validate their args and throw ConfigError naming the field.
import { ConfigError } from './errors.js';
import type { FactoryHandle, Plugin } from './interfaces.js';

/**
 * Builds a plugin from its args (the `args` of its pluginConfig entry, or undefined).
 * `field` is the args' field path, for error messages.
 */
export type PluginFactory = (args: unknown, field: string, handle: FactoryHandle) => Plugin;

export class Registry {
  private readonly factories = new Map<string, PluginFactory>();

  constructor(entries: Iterable<readonly [string, PluginFactory]> = []) {
    for (const [name, f] of entries) this.register(name, f);
  }

  register(name: string, factory: PluginFactory): void {
    if (this.factories.has(name)) throw new Error(`a plugin named "${name}" already exists`);
    this.factories.set(name, factory);
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }

  names(): string[] {
    return [...this.factories.keys()];
  }

  create(name: string, args: unknown, field: string, handle: FactoryHandle): Plugin {
    const f = this.factories.get(name);
    if (f === undefined) throw new ConfigError(field, `Invalid value: "${name}": plugin does not exist in the registry`);
    const plugin = f(args, field, handle);
    if (plugin.name !== name) throw new Error(`plugin factory "${name}" built a plugin named "${plugin.name}"`);
    return plugin;
  }
}
