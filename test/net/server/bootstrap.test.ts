// What a new cluster holds before anyone writes to it, as kube-apiserver bootstraps it: the system
// namespaces, the default/kubernetes Service and the two system PriorityClasses; and a restart on
// the same data directory finds them without error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/core/api/types.js';
import { startApiServer } from '../../../src/net/server/api-server.js';

const priorityClasses = { group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses' };
const namespaces = { group: '', version: 'v1', plural: 'namespaces' };
const services = { group: '', version: 'v1', plural: 'services' };

test('bootstrap objects exist after start and after a restart on the same directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cox-bootstrap-'));
  try {
    for (let start = 0; start < 2; start++) {
      const server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
      try {
        const r = server.registry;
        const ns = await r.list(namespaces, '');
        assert.deepEqual(
          ns.items.map((n) => n.metadata.name).sort(),
          ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
        );
        assert.equal((await r.get(services, 'default', 'kubernetes')).metadata.name, 'kubernetes');
        const pcs = (await r.list<KubeObject & { value?: number; globalDefault?: boolean }>(priorityClasses, '')).items;
        assert.deepEqual(
          pcs.map((pc) => [pc.metadata.name, pc.value, pc.globalDefault ?? false]).sort(),
          [
            ['system-cluster-critical', 2000000000, false],
            ['system-node-critical', 2000001000, false],
          ],
        );
      } finally {
        await server.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
