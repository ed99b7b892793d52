import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alreadyExists, conflict, conflictStaleMessage, notFound } from '../../src/core/errors.js';

test('NotFound is the Status kube-apiserver sends, named by qualified resource', () => {
  const e = notFound({ group: 'apps', resource: 'deployments' }, 'x');
  assert.deepEqual(e.status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'deployments.apps "x" not found',
    reason: 'NotFound',
    details: { name: 'x', group: 'apps', kind: 'deployments' },
    code: 404,
  });
});

test('core-group resources have no group suffix; AlreadyExists and Conflict are 409', () => {
  const a = alreadyExists({ group: '', resource: 'pods' }, 'web-1');
  assert.equal(a.message, 'pods "web-1" already exists');
  assert.equal(a.code, 409);
  const c = conflict({ group: '', resource: 'pods' }, 'web-1', conflictStaleMessage);
  assert.equal(c.reason, 'Conflict');
  assert.equal(
    c.message,
    'Operation cannot be fulfilled on pods "web-1": the object has been modified; please apply your changes to the latest version and try again',
  );
});
