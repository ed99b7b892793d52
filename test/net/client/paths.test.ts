// Paths as kube-apiserver routes them, query strings, warnings and error bodies that are not Statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deleteOptionsBody, listQuery, resourcePath, watchQuery } from '../../../src/net/client/paths.js';
import { parseWarnings, statusErrorOf } from '../../../src/net/client/status.js';
import { routeResourcePath } from '../../../src/net/server/routes.js';

const pods = { group: '', version: 'v1', plural: 'pods' };
const deployments = { group: 'apps', version: 'v1', plural: 'deployments' };
const nodes = { group: '', version: 'v1', plural: 'nodes' };
const namespaces = { group: '', version: 'v1', plural: 'namespaces' };

test('resourcePath: every shape, and the server routes each back to the same target', () => {
  const cases: [string, { group: string; version: string; plural: string }, string, string, string, string][] = [
    ['pods in a namespace', pods, 'default', '', '', '/api/v1/namespaces/default/pods'],
    ['one pod', pods, 'default', 'web-1', '', '/api/v1/namespaces/default/pods/web-1'],
    ['pod status', pods, 'default', 'web-1', 'status', '/api/v1/namespaces/default/pods/web-1/status'],
    ['pods everywhere', pods, '', '', '', '/api/v1/pods'],
    ['deployment scale', deployments, 'prod', 'web', 'scale', '/apis/apps/v1/namespaces/prod/deployments/web/scale'],
    ['a node (namespace dropped)', nodes, 'ignored', 'n1', '', '/api/v1/nodes/n1'],
    ['a namespace object', namespaces, '', 'default', '', '/api/v1/namespaces/default'],
    ['namespace status', namespaces, '', 'default', 'status', '/api/v1/namespaces/default/status'],
  ];
  for (const [what, r, ns, name, sub, path] of cases) {
    assert.equal(resourcePath(r, ns, name, sub), path, what);
    const route = routeResourcePath(path);
    assert.equal(route.type, 'resource', what);
    if (route.type !== 'resource') continue;
    assert.equal(route.target.kind.plural, r.plural, what);
    assert.equal(route.target.name, name, what);
    assert.equal(route.target.subresource, sub, what);
  }
});

test('query strings encode selectors; watch always asks for watch=true', () => {
  assert.equal(listQuery({ labelSelector: 'app in (a,b)', limit: 5, continue: 'tok=' }), '?labelSelector=app%20in%20(a%2Cb)&limit=5&continue=tok%3D');
  assert.equal(listQuery({}), '');
  assert.equal(watchQuery(undefined), '?watch=true');
  assert.equal(watchQuery({ resourceVersion: '7', allowWatchBookmarks: true, timeoutSeconds: 30 }), '?watch=true&resourceVersion=7&allowWatchBookmarks=true&timeoutSeconds=30');
  assert.equal(deleteOptionsBody({}), undefined);
  assert.deepEqual(deleteOptionsBody({ gracePeriodSeconds: 0, preconditions: { uid: 'u' } }), {
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    gracePeriodSeconds: 0,
    preconditions: { uid: 'u' },
  });
});

test('parseWarnings reads 299 warnings, one or several per header', () => {
  assert.deepEqual(parseWarnings(undefined), []);
  assert.deepEqual(parseWarnings('299 - "unknown field \\"spec.x\\""'), ['unknown field "spec.x"']);
  assert.deepEqual(parseWarnings(['299 - "a, b"', '299 - "c",299 - "d"']), ['a, b', 'c', 'd']);
});

test('error bodies that are not Statuses become client-go generic errors for their code', () => {
  const table: [number, string, string, number][] = [
    [404, '<html>nope</html>', 'NotFound', 404],
    [429, '', 'TooManyRequests', 429],
    [503, 'down', 'ServiceUnavailable', 503],
    [502, 'bad gateway', 'InternalError', 502],
  ];
  for (const [code, body, reason, statusCode] of table) {
    const e = statusErrorOf(code, undefined, body);
    assert.equal(e.reason, reason);
    assert.equal(e.code, statusCode);
  }
  const fromStatus = statusErrorOf(409, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'm', reason: 'Conflict', code: 409 }, '');
  assert.equal(fromStatus.message, 'm');
  assert.equal(fromStatus.reason, 'Conflict');
});
