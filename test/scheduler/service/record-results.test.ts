// `cox scheduler --record-results`: a scheduled pod carries kube-scheduler-simulator's annotations,
// written through the API after its bind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, Pod } from '../../../src/core/api/types.js';
import { HttpClient } from '../../../src/net/client/http-client.js';
import { startApiServer } from '../../../src/net/server/api-server.js';
import { simulatorAnnotationKeys as keys } from '../../../src/scheduler/index.js';
import { SchedulerService } from '../../../src/scheduler/service/scheduler-service.js';

const pods = { group: '', version: 'v1', plural: 'pods' };
const nodes = { group: '', version: 'v1', plural: 'nodes' };

function node(name: string, cpu: string): KubeObject {
  const resources = { cpu, memory: '32Gi', pods: '110' };
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {}, status: { capacity: resources, allocatable: resources } };
}

test('--record-results: filter, score and final score per node and plugin in the pod annotations', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cox-record-'));
  const server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
  const api = new HttpClient({ url: server.url });
  const service = new SchedulerService(api, { workers: 0, seed: 1, recordResults: true });
  try {
    assert.equal(await service.start(), true);
    await api.create(nodes, '', node('small', '1'));
    await api.create(nodes, '', node('large', '4'));
    await api.create(pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '2' } } }] } });
    const deadline = Date.now() + 15_000;
    let p = await api.get<Pod>(pods, 'default', 'web');
    while (p.metadata.annotations?.[keys.selectedNode] === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      p = await api.get<Pod>(pods, 'default', 'web');
    }
    const a = p.metadata.annotations ?? {};
    assert.equal(p.spec?.nodeName, 'large');
    assert.equal(a[keys.selectedNode], 'large');
    const filter = JSON.parse(a[keys.filter] ?? '{}') as Record<string, Record<string, string>>;
    assert.equal(filter['small']?.['NodeResourcesFit'], 'Insufficient cpu');
    assert.equal(filter['large']?.['NodeResourcesFit'], 'passed');
    const finalScore = JSON.parse(a[keys.finalScore] ?? '{}') as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(finalScore), ['large']);
    assert.equal(finalScore['large']?.['TaintToleration'], '300');
    assert.equal(a[keys.bind], '{"DefaultBinder":"success"}');
  } finally {
    await service.stop();
    await api.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
