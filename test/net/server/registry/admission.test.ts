// Writes as kube-apiserver's generic store and admission answer them: updates without a
// resourceVersion (unconditional where the kind's strategy allows, 422 for a Lease), and the
// Priority admission plugin (a Pod's priority from its PriorityClass; one globalDefault class).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../../src/core/api/types.js';
import { StatusError } from '../../../../src/core/errors.js';
import type { ResourceType } from '../../../../src/net/api.js';
import { startApiServer, type RunningApiServer } from '../../../../src/net/server/api-server.js';

const configMaps: ResourceType = { group: '', version: 'v1', plural: 'configmaps' };
const secrets: ResourceType = { group: '', version: 'v1', plural: 'secrets' };
const services: ResourceType = { group: '', version: 'v1', plural: 'services' };
const nodes: ResourceType = { group: '', version: 'v1', plural: 'nodes' };
const pods: ResourceType = { group: '', version: 'v1', plural: 'pods' };
const deployments: ResourceType = { group: 'apps', version: 'v1', plural: 'deployments' };
const leases: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };
const priorityClasses: ResourceType = { group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses' };

type Fields = Record<string, unknown>;

function pod(name: string, spec: Fields = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...spec } };
}

function priorityClass(name: string, value: number, more: Fields = {}): KubeObject {
  return { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...more } as KubeObject;
}

function withoutResourceVersion(obj: KubeObject, labels: Record<string, string>): KubeObject {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return { ...obj, metadata: { ...metadata, labels: { ...(obj.metadata.labels ?? {}), ...labels } } };
}

/** The StatusError a call rejects with. */
async function statusOf(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  assert.fail('expected a Status error');
}

function specOf(obj: KubeObject): Fields {
  return obj.spec as Fields;
}

describe('registry admission', () => {
  let dir: string;
  let server: RunningApiServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cox-admission-'));
    server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
  });
  after(async () => {
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  describe('updates without a resourceVersion', () => {
    const unconditional: readonly [string, ResourceType, string, KubeObject][] = [
      ['ConfigMap', configMaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'u-cm' }, data: { a: '1' } } as KubeObject],
      ['Secret', secrets, 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'u-secret' }, stringData: { a: '1' } } as KubeObject],
      [
        'Service',
        services,
        'default',
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'u-svc' }, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } },
      ],
      ['Node', nodes, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'u-node' } }],
      ['Pod', pods, 'default', pod('u-pod')],
      [
        'Deployment',
        deployments,
        'default',
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'u-deploy' },
          spec: {
            selector: { matchLabels: { app: 'u' } },
            template: { metadata: { labels: { app: 'u' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
          },
        },
      ],
    ];
    for (const [kindName, resource, namespace, object] of unconditional) {
      it(`${kindName}: a PUT without one applies to the stored object`, async () => {
        const r = server.registry;
        const created = (await r.create(resource, namespace, object)).object;
        const name = created.metadata.name ?? '';
        const updated = (await r.update(resource, namespace, name, withoutResourceVersion(created, { put: 'yes' }))).object;
        assert.equal(updated.metadata.labels?.['put'], 'yes');
        assert.ok(Number(updated.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
        // A stale resourceVersion is still a conflict.
        const stale = await statusOf(r.update(resource, namespace, name, { ...updated, metadata: { ...updated.metadata, resourceVersion: created.metadata.resourceVersion ?? '' } }));
        assert.equal(stale.reason, 'Conflict');
      });

      it(`${kindName}: a merge patch setting metadata.resourceVersion to null applies to the stored object`, async () => {
        const r = server.registry;
        const name = object.metadata.name ?? '';
        const before = await r.get(resource, namespace, name);
        const patched = (await r.patch(resource, namespace, name, 'merge', { metadata: { resourceVersion: null, labels: { patch: 'yes' } } })).object;
        assert.equal(patched.metadata.labels?.['patch'], 'yes');
        assert.ok(Number(patched.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
      });
    }

    it('a Pod PUT that omits the priority keeps what admission set on create', async () => {
      const r = server.registry;
      const created = (await r.create(pods, 'default', pod('keeps-priority', { priorityClassName: 'system-cluster-critical' }))).object;
      const spec = { ...specOf(created) };
      delete spec['priority'];
      delete spec['preemptionPolicy'];
      const updated = (await r.update(pods, 'default', 'keeps-priority', { ...withoutResourceVersion(created, { a: 'b' }), spec })).object;
      assert.equal(specOf(updated)['priority'], 2000000000);
      assert.equal(specOf(updated)['preemptionPolicy'], 'PreemptLowerPriority');
    });

    it('a Lease refuses both: 422 metadata.resourceVersion 0x0, the resource named', async () => {
      const r = server.registry;
      const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'holder' }, spec: { holderIdentity: 'a' } } as KubeObject;
      const created = (await r.create(leases, 'default', lease)).object;
      const message = 'leases.coordination.k8s.io "holder" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update';
      const attempts: readonly [string, () => Promise<unknown>][] = [
        ['PUT', () => r.update(leases, 'default', 'holder', withoutResourceVersion(created, { x: 'y' }))],
        ['merge patch', () => r.patch(leases, 'default', 'holder', 'merge', { metadata: { resourceVersion: null } })],
        ['json patch', () => r.patch(leases, 'default', 'holder', 'json', [{ op: 'remove', path: '/metadata/resourceVersion' }])],
      ];
      for (const [what, attempt] of attempts) {
        const e = await statusOf(attempt());
        assert.equal(e.reason, 'Invalid', what);
        assert.equal(e.message, message, what);
        const status = e.status;
        assert.equal(status.code, 422, what);
        assert.equal(status.details?.kind, 'leases', what);
        assert.equal(status.details?.group, 'coordination.k8s.io', what);
        assert.deepEqual(status.details?.causes, [
          { reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' },
        ]);
      }
      // With its resourceVersion (or a patch that leaves it), a Lease updates as usual.
      const renewed = (await r.patch(leases, 'default', 'holder', 'merge', { spec: { holderIdentity: 'b' } })).object;
      assert.equal(specOf(renewed)['holderIdentity'], 'b');
      assert.equal((await r.get(leases, 'default', 'holder')).metadata.resourceVersion, renewed.metadata.resourceVersion);
    });
  });

  describe('Priority admission', () => {
    before(async () => {
      const r = server.registry;
      await r.create(priorityClasses, '', priorityClass('high', 1000));
      await r.create(priorityClasses, '', priorityClass('polite', 500, { preemptionPolicy: 'Never' }));
    });

    type Want = { readonly priority: number; readonly policy: string; readonly className?: string } | { readonly forbidden: string };
    const cases: readonly [string, Fields, Want][] = [
      ['no class, no default class: 0', {}, { priority: 0, policy: 'PreemptLowerPriority' }],
      ['a stored class', { priorityClassName: 'high' }, { priority: 1000, policy: 'PreemptLowerPriority', className: 'high' }],
      ['the class’s preemptionPolicy', { priorityClassName: 'polite' }, { priority: 500, policy: 'Never', className: 'polite' }],
      ['a built-in class', { priorityClassName: 'system-node-critical' }, { priority: 2000001000, policy: 'PreemptLowerPriority' }],
      ['the other built-in class', { priorityClassName: 'system-cluster-critical' }, { priority: 2000000000, policy: 'PreemptLowerPriority' }],
      ['a built-in class with its own value given', { priorityClassName: 'system-node-critical', priority: 2000001000 }, { priority: 2000001000, policy: 'PreemptLowerPriority' }],
      ['no class, with priority 0 and the default policy given', { priority: 0, preemptionPolicy: 'PreemptLowerPriority' }, { priority: 0, policy: 'PreemptLowerPriority' }],
      [
        'a built-in class with another value',
        { priorityClassName: 'system-node-critical', priority: 0 },
        { forbidden: 'the integer value of priority (0) must not be provided in pod spec; priority admission controller computed 2000001000 from the given PriorityClass name' },
      ],
      ['the same priority as the class', { priorityClassName: 'high', priority: 1000 }, { priority: 1000, policy: 'PreemptLowerPriority' }],
      ['an unknown class', { priorityClassName: 'missing' }, { forbidden: 'no PriorityClass with name missing was found' }],
      [
        'a priority other than the class’s',
        { priorityClassName: 'high', priority: 5 },
        { forbidden: 'the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name' },
      ],
      [
        'a priority without a class',
        { priority: 7 },
        { forbidden: 'the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name' },
      ],
      [
        'a preemptionPolicy other than the class’s',
        { priorityClassName: 'polite', preemptionPolicy: 'PreemptLowerPriority' },
        {
          forbidden:
            'the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name',
        },
      ],
    ];
    let n = 0;
    for (const [what, spec, want] of cases) {
      const name = `prio-${n++}`;
      it(`${what}`, async () => {
        const attempt = server.registry.create(pods, 'default', pod(name, spec));
        if ('forbidden' in want) {
          const e = await statusOf(attempt);
          assert.equal(e.reason, 'Forbidden');
          assert.equal(e.message, `pods "${name}" is forbidden: ${want.forbidden}`);
          assert.equal(e.status.code, 403);
          assert.equal(await statusOf(server.registry.get(pods, 'default', name)).then((s) => s.reason), 'NotFound');
          return;
        }
        const created = specOf((await attempt).object);
        assert.equal(created['priority'], want.priority);
        assert.equal(created['preemptionPolicy'], want.policy);
        if (want.className !== undefined) assert.equal(created['priorityClassName'], want.className);
      });
    }

    it('a Pod created by server-side apply or as a dry run is admitted alike', async () => {
      const r = server.registry;
      const applied = (await r.patch(pods, 'default', 'applied', 'apply', pod('applied', { priorityClassName: 'system-node-critical' }), { fieldManager: 'test' })).object;
      assert.deepEqual([specOf(applied)['priority'], specOf(applied)['preemptionPolicy']], [2000001000, 'PreemptLowerPriority']);
      const dry = (await r.create(pods, 'default', pod('dry', { priorityClassName: 'polite' }), { dryRun: true })).object;
      assert.deepEqual([specOf(dry)['priority'], specOf(dry)['preemptionPolicy']], [500, 'Never']);
      const refused = await statusOf(r.patch(pods, 'default', 'applied-missing', 'apply', pod('applied-missing', { priorityClassName: 'missing' }), { fieldManager: 'test' }));
      assert.equal(refused.message, 'pods "applied-missing" is forbidden: no PriorityClass with name missing was found');
    });

    it('the globalDefault class: written to class-less pods, only one, followed as it changes', async () => {
      const r = server.registry;
      await r.create(priorityClasses, '', priorityClass('fallback', 42, { globalDefault: true, preemptionPolicy: 'Never' }));
      const p1 = specOf((await r.create(pods, 'default', pod('default-1'))).object);
      assert.deepEqual([p1['priorityClassName'], p1['priority'], p1['preemptionPolicy']], ['fallback', 42, 'Never']);

      const second = await statusOf(r.create(priorityClasses, '', priorityClass('fallback2', 43, { globalDefault: true })));
      assert.equal(second.reason, 'Forbidden');
      assert.equal(
        second.message,
        'priorityclasses.scheduling.k8s.io "fallback2" is forbidden: PriorityClass fallback is already marked as default. Only one default can exist',
      );
      const marked = await statusOf(r.patch(priorityClasses, '', 'high', 'merge', { globalDefault: true }));
      assert.equal(marked.message, 'priorityclasses.scheduling.k8s.io "high" is forbidden: PriorityClass fallback is already marked as default. Only one default can exist');
      // The default itself may be updated.
      await r.patch(priorityClasses, '', 'fallback', 'merge', { description: 'the default' });

      // Unmarked, then another marked: pods follow at once.
      await r.patch(priorityClasses, '', 'fallback', 'merge', { globalDefault: false });
      const p2 = specOf((await r.create(pods, 'default', pod('default-2'))).object);
      assert.deepEqual([p2['priorityClassName'], p2['priority']], [undefined, 0]);
      await r.patch(priorityClasses, '', 'high', 'merge', { globalDefault: true });
      const p3 = specOf((await r.create(pods, 'default', pod('default-3'))).object);
      assert.deepEqual([p3['priorityClassName'], p3['priority']], ['high', 1000]);
      await r.delete(priorityClasses, '', 'high');
      const p4 = specOf((await r.create(pods, 'default', pod('default-4'))).object);
      assert.deepEqual([p4['priorityClassName'], p4['priority']], [undefined, 0]);
      // A class deleted is not found any more.
      const gone = await statusOf(r.create(pods, 'default', pod('default-5', { priorityClassName: 'high' })));
      assert.equal(gone.message, 'pods "default-5" is forbidden: no PriorityClass with name high was found');
    });

    it('a PriorityClass’s value may not change; a user class stays under 1e9', async () => {
      const r = server.registry;
      const changed = await statusOf(r.patch(priorityClasses, '', 'polite', 'merge', { value: 501 }));
      assert.equal(changed.reason, 'Invalid');
      assert.equal(changed.message, 'PriorityClass.scheduling.k8s.io "polite" is invalid: value: Forbidden: may not be changed in an update.');
      const big = await statusOf(r.create(priorityClasses, '', priorityClass('huge', 1000000001)));
      assert.equal(big.message, 'PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
    });

    it('over HTTP: an unknown class is a 403 Status', async () => {
      const res = await fetch(`${server.url}/api/v1/namespaces/default/pods`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(pod('http-prio', { priorityClassName: 'nope' })),
      });
      assert.equal(res.status, 403);
      const status = (await res.json()) as Fields;
      assert.deepEqual(
        { kind: status['kind'], reason: status['reason'], message: status['message'], code: status['code'], details: status['details'] },
        {
          kind: 'Status',
          reason: 'Forbidden',
          message: 'pods "http-prio" is forbidden: no PriorityClass with name nope was found',
          code: 403,
          details: { name: 'http-prio', kind: 'pods' },
        },
      );
    });
  });
});
