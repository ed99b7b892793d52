import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { makePod, podKey, podName, updateAnnotation, updatedPod } from '../pods.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('makePod', () => {
  it('weighs about 1 KiB as JSON, for any index (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 31 - 1 }), (index) => {
        const bytes = Buffer.byteLength(JSON.stringify(makePod(index)));
        assert.ok(bytes >= 1000 && bytes <= 1250, `${bytes} bytes`);
      }),
    );
  });

  it('is a running Pod with the parts the benchmark promises', () => {
    const pod = makePod(42, 'team-a');
    assert.equal(pod.apiVersion, 'v1');
    assert.equal(pod.kind, 'Pod');
    assert.equal(pod.metadata?.namespace, 'team-a');
    assert.equal(pod.metadata?.name, podName(42));
    assert.ok(Object.keys(pod.metadata?.labels ?? {}).length >= 2);
    assert.equal(pod.metadata?.annotations?.[updateAnnotation], '0');
    const container = pod.spec?.containers[0];
    assert.ok(container?.resources?.requests?.['cpu'] !== undefined);
    assert.ok((container?.env?.length ?? 0) >= 1);
    assert.ok((container?.ports?.length ?? 0) >= 1);
    assert.equal(pod.status?.phase, 'Running');
  });

  it('is deterministic: the same index gives the same bytes', () => {
    assert.equal(JSON.stringify(makePod(1234, 'x')), JSON.stringify(makePod(1234, 'x')));
  });

  it('gives distinct names and uids to distinct indices (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 31 - 1 }), fc.nat({ max: 2 ** 31 - 1 }), (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(podName(a), podName(b));
        assert.notEqual(makePod(a).metadata?.uid, makePod(b).metadata?.uid);
      }),
    );
  });

  it('names are valid DNS-1123 subdomains', () => {
    for (const i of [0, 1, 35, 36, 123_456, 2 ** 31 - 1]) assert.match(podName(i), /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

describe('podKey and updatedPod', () => {
  it('lays keys out as /pods/<namespace>/<name>', () => {
    assert.equal(podKey('default', 'web-1'), '/pods/default/web-1');
  });

  it('changes only the update annotation, without touching the (frozen) input', () => {
    const pod = deepFreeze(makePod(7));
    const next = updatedPod(pod, 3);
    assert.equal(next.metadata?.annotations?.[updateAnnotation], '3');
    assert.equal(pod.metadata?.annotations?.[updateAnnotation], '0');
    const { metadata: m1, ...rest1 } = pod;
    const { metadata: m2, ...rest2 } = next;
    assert.deepEqual(rest2, rest1);
    assert.deepEqual(
      { ...m2, annotations: { ...m2?.annotations, [updateAnnotation]: '0' } },
      m1,
    );
  });
});
