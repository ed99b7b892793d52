import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod } from '../../../../src/core/api/types.js';
import { kindByGVK } from '../../../../src/core/api/kinds.js';
import { podSummary, tableRow } from '../../../../src/net/server/printers/index.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(now - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const podKind = kindByGVK('v1', 'Pod');
if (podKind === undefined) throw new Error('Pod kind missing from the registry');

type PodStatus = NonNullable<Pod['status']>;
type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];
type PodSpec = NonNullable<Pod['spec']>;

function pod(spec: Partial<PodSpec>, status: PodStatus, meta: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', creationTimestamp: ago(90_000), ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  };
}

function cs(state: NonNullable<ContainerStatus['state']>, extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name: 'app', image: 'nginx', imageID: '', ready: false, restartCount: 0, state, ...extra };
}

const running = { running: { startedAt: ago(60_000) } };
const two = { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] };
const twoInits = { initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'y' }] };

describe('printers: pod STATUS, READY and RESTARTS', () => {
  const cases: readonly [name: string, pod: Pod, ready: string, status: string, restarts: string][] = [
    ['pending, nothing started', pod({}, { phase: 'Pending' }), '0/1', 'Pending', '0'],
    ['no status at all', pod({}, {}), '0/1', '', '0'],
    [
      'container creating',
      pod({}, { phase: 'Pending', containerStatuses: [cs({ waiting: { reason: 'ContainerCreating' } })] }),
      '0/1',
      'ContainerCreating',
      '0',
    ],
    [
      'running and ready',
      pod({}, { phase: 'Running', containerStatuses: [cs(running, { ready: true })] }),
      '1/1',
      'Running',
      '0',
    ],
    [
      'running, not ready yet',
      pod({}, { phase: 'Running', containerStatuses: [cs(running)] }),
      '0/1',
      'Running',
      '0',
    ],
    [
      'completed',
      pod({}, {
        phase: 'Succeeded',
        containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed', finishedAt: ago(30_000) } })],
      }),
      '0/1',
      'Completed',
      '0',
    ],
    [
      'crash loop with five restarts, the last 5 minutes ago',
      pod({}, {
        phase: 'Running',
        containerStatuses: [
          cs(
            { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } },
            { restartCount: 5, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * 60_000) } } },
          ),
        ],
      }),
      '0/1',
      'CrashLoopBackOff',
      '5 (5m ago)',
    ],
    [
      'restarts without a termination time print the count alone',
      pod({}, { phase: 'Running', containerStatuses: [cs(running, { ready: true, restartCount: 2 })] }),
      '1/1',
      'Running',
      '2',
    ],
    [
      'terminating',
      pod({}, { phase: 'Running', containerStatuses: [cs(running, { ready: true })] }, { deletionTimestamp: ago(1000) }),
      '1/1',
      'Terminating',
      '0',
    ],
    [
      'a finished pod being deleted stays Completed',
      pod(
        {},
        { phase: 'Succeeded', containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } })] },
        { deletionTimestamp: ago(1000) },
      ),
      '0/1',
      'Completed',
      '0',
    ],
    [
      'node lost while deleting reads Unknown',
      pod({}, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: ago(1000) }),
      '0/1',
      'Unknown',
      '0',
    ],
    [
      'evicted: the pod reason wins',
      pod({}, { phase: 'Failed', reason: 'Evicted' }),
      '0/1',
      'Evicted',
      '0',
    ],
    [
      'scheduling gated',
      pod({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
      '0/1',
      'SchedulingGated',
      '0',
    ],
    [
      'first init container running: Init:0/2',
      pod(twoInits, { phase: 'Pending', initContainerStatuses: [cs(running, { name: 'i1' }), cs({ waiting: { reason: 'PodInitializing' } }, { name: 'i2' })] }),
      '0/1',
      'Init:0/2',
      '0',
    ],
    [
      'first init done, second running: Init:1/2',
      pod(twoInits, {
        phase: 'Pending',
        initContainerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } }, { name: 'i1' }), cs(running, { name: 'i2' })],
      }),
      '0/1',
      'Init:1/2',
      '0',
    ],
    [
      'init container failed: Init:Error',
      pod(twoInits, {
        phase: 'Pending',
        initContainerStatuses: [cs({ terminated: { exitCode: 1, reason: 'Error' } }, { name: 'i1', restartCount: 3 })],
      }),
      '0/1',
      'Init:Error',
      '3',
    ],
    [
      'init container crash-looping: Init:CrashLoopBackOff',
      pod(twoInits, {
        phase: 'Pending',
        initContainerStatuses: [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { name: 'i1', restartCount: 4 })],
      }),
      '0/1',
      'Init:CrashLoopBackOff',
      '4',
    ],
    [
      'init container exited without a reason: Init:ExitCode:2',
      pod(twoInits, { phase: 'Pending', initContainerStatuses: [cs({ terminated: { exitCode: 2 } }, { name: 'i1' })] }),
      '0/1',
      'Init:ExitCode:2',
      '0',
    ],
    [
      'init container killed by a signal: Init:Signal:9',
      pod(twoInits, { phase: 'Pending', initContainerStatuses: [cs({ terminated: { exitCode: 137, signal: 9 } }, { name: 'i1' })] }),
      '0/1',
      'Init:Signal:9',
      '0',
    ],
    [
      'container exited without a reason: ExitCode:137',
      pod({}, { phase: 'Running', containerStatuses: [cs({ terminated: { exitCode: 137 } })] }),
      '0/1',
      'ExitCode:137',
      '0',
    ],
    [
      'a ready sidecar counts towards READY; its restarts count',
      pod(
        { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] },
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [cs(running, { name: 'proxy', started: true, ready: true, restartCount: 1 })],
          containerStatuses: [cs(running, { ready: true })],
        },
      ),
      '2/2',
      'Running',
      '1',
    ],
    [
      'one container completed, one still running, pod Ready: Running',
      pod(two, {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          cs({ terminated: { exitCode: 0, reason: 'Completed' } }, { name: 'a' }),
          cs(running, { name: 'b', ready: true }),
        ],
      }),
      '1/2',
      'Running',
      '0',
    ],
    [
      'one container completed, one still running, pod not Ready: NotReady',
      pod(two, {
        phase: 'Running',
        containerStatuses: [
          cs({ terminated: { exitCode: 0, reason: 'Completed' } }, { name: 'a' }),
          cs(running, { name: 'b', ready: true }),
        ],
      }),
      '1/2',
      'NotReady',
      '0',
    ],
    [
      'restarts of two containers add up; the latest termination is shown',
      pod(two, {
        phase: 'Running',
        containerStatuses: [
          cs(running, { name: 'a', ready: true, restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * 3_600_000) } } }),
          cs(running, { name: 'b', ready: true, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(42_000) } } }),
        ],
      }),
      '2/2',
      'Running',
      '3 (42s ago)',
    ],
  ];
  for (const [name, p, ready, status, restarts] of cases) {
    it(name, () => {
      assert.deepEqual(podSummary(p, now), { ready, status, restarts });
      const row = tableRow(podKind, p, now);
      assert.deepEqual(row.cells.slice(0, 5), ['web-0', ready, status, restarts, '90s']);
    });
  }

  it('wide cells: first pod IP, node, nominated node, readiness gates', () => {
    const p = pod(
      { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
      {
        phase: 'Running',
        podIP: '127.1.0.9',
        podIPs: [{ ip: '127.1.0.9' }],
        nominatedNodeName: 'node-2',
        conditions: [
          { type: 'example.com/lb', status: 'True' },
          { type: 'example.com/dns', status: 'False' },
        ],
      },
    );
    assert.deepEqual(tableRow(podKind, p, now).cells.slice(5), ['127.1.0.9', 'node-1', 'node-2', '1/2']);
    assert.deepEqual(tableRow(podKind, pod({}, {}), now).cells.slice(5), ['<none>', '<none>', '<none>', '<none>']);
  });

  it('finished pods carry a Completed row condition; others none', () => {
    const done = tableRow(podKind, pod({}, { phase: 'Succeeded' }), now);
    assert.deepEqual(done.conditions, [
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
    const failed = tableRow(podKind, pod({}, { phase: 'Failed' }), now);
    assert.deepEqual(failed.conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
    assert.equal('conditions' in tableRow(podKind, pod({}, { phase: 'Running' }), now), false);
  });

  it('never throws on arbitrary container states; READY is ready/total', () => {
    const state = fc.oneof(
      fc.constant({}),
      fc.record({ running: fc.constant({}) }),
      fc.record({ waiting: fc.record({ reason: fc.constantFrom('', 'ContainerCreating', 'CrashLoopBackOff', 'PodInitializing') }) }),
      fc.record({
        terminated: fc.record({
          exitCode: fc.integer({ min: 0, max: 255 }),
          reason: fc.constantFrom(undefined, '', 'Completed', 'Error', 'OOMKilled'),
          signal: fc.constantFrom(undefined, 0, 9, 15),
        }),
      }),
    );
    const status = fc.record({
      ready: fc.boolean(),
      restartCount: fc.nat(50),
      started: fc.boolean(),
      state,
    });
    fc.assert(
      fc.property(
        fc.array(status, { maxLength: 3 }),
        fc.array(status, { maxLength: 3 }),
        fc.nat(2),
        fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'),
        (inits, mains, sidecars, phase) => {
          const initContainers = inits.map((_, i) => ({ name: `i${i}`, image: 'x', ...(i < sidecars ? { restartPolicy: 'Always' } : {}) }));
          const containers = [{ name: 'c0', image: 'x' }, ...mains.slice(1).map((_, i) => ({ name: `c${i + 1}`, image: 'x' }))];
          const p = pod(
            { initContainers, containers },
            {
              phase,
              initContainerStatuses: inits.map((s, i) => cs(JSON.parse(JSON.stringify(s.state)), { ready: s.ready, restartCount: s.restartCount, started: s.started, name: `i${i}` })),
              containerStatuses: mains.map((s, i) => cs(JSON.parse(JSON.stringify(s.state)), { ready: s.ready, restartCount: s.restartCount, started: s.started, name: `c${i}` })),
            },
          );
          const sum = podSummary(p, now);
          const m = /^(\d+)\/(\d+)$/.exec(sum.ready);
          assert.ok(m, sum.ready);
          assert.ok(Number(m[1]) <= inits.length + mains.length);
          assert.equal(Number(m[2]), containers.length + Math.min(sidecars, inits.length));
          assert.match(sum.restarts, /^\d+( \(.+ ago\))?$/);
        },
      ),
      { numRuns: 300 },
    );
  });
});
