// `npm run bench -- <scenario> [options] [--json]`
// Each scenario is a module benchmarks/load/<scenario>.ts exporting `run(args)`: it prints a
// readable table and, with --json, one JSON object as the last line of stdout.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ScenarioModule {
  run(args: readonly string[]): Promise<void>;
}

const loadDir = fileURLToPath(new URL('./load/', import.meta.url));
const scenarios = readdirSync(loadDir)
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !scenarios.includes(name)) {
  console.error(
    (name === undefined ? 'no scenario given' : `unknown scenario "${name}"`) +
      `\nusage: npm run bench -- <scenario> [options] [--json]\nscenarios: ${scenarios.join(', ')}`,
  );
  process.exit(2);
}
const mod = (await import(`./load/${name}.js`)) as ScenarioModule;
await mod.run(rest);
