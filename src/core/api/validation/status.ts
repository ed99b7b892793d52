// Validation of writes to the status subresource (ValidateDeploymentStatusUpdate and friends):
// counters are non-negative and consistent, collisionCount never goes down.

import type { KubeObject } from '../types.js';
import { invalid, type FieldErrors } from './field.js';
import { asFields, num, validateNonnegative, validateObjectMetaUpdate } from './common.js';

type Fields = Record<string, unknown>;

const greaterThanReplicas = 'cannot be greater than status.replicas';

function nonnegative(status: Fields, fields: readonly string[], errs: FieldErrors): void {
  for (const f of fields) {
    const v = status[f];
    if (typeof v === 'number') validateNonnegative(v, `status.${f}`, errs);
  }
}

function notAbove(status: Fields, fields: readonly string[], limitField: string, message: string, errs: FieldErrors): void {
  const limit = num(status[limitField]);
  for (const f of fields) {
    const v = num(status[f]);
    if (v > limit) errs.push(invalid(`status.${f}`, v, message));
  }
}

function collisionCount(status: Fields, old: Fields, errs: FieldErrors): void {
  const n = status['collisionCount'];
  const o = old['collisionCount'];
  if (typeof o === 'number' && (typeof n !== 'number' || n < o)) {
    errs.push(invalid('status.collisionCount', typeof n === 'number' ? n : 0, 'cannot be decremented'));
  }
}

/** The field errors of a status update of `obj` over the stored `old`. */
export function validateStatus(obj: KubeObject, old: KubeObject, errs: FieldErrors): void {
  validateObjectMetaUpdate(obj.metadata, old.metadata, errs);
  const s = asFields(obj.status);
  const o = asFields(old.status);
  switch (obj.kind) {
    case 'Deployment':
      nonnegative(s, ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'], errs);
      notAbove(s, ['updatedReplicas', 'readyReplicas', 'availableReplicas'], 'replicas', greaterThanReplicas, errs);
      notAbove(s, ['availableReplicas'], 'readyReplicas', 'cannot be greater than readyReplicas', errs);
      collisionCount(s, o, errs);
      return;
    case 'ReplicaSet':
      nonnegative(s, ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'], errs);
      notAbove(s, ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'], 'replicas', greaterThanReplicas, errs);
      notAbove(s, ['availableReplicas'], 'readyReplicas', 'cannot be greater than readyReplicas', errs);
      return;
    case 'StatefulSet':
      nonnegative(s, ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'], errs);
      notAbove(s, ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'], 'replicas', greaterThanReplicas, errs);
      notAbove(s, ['availableReplicas'], 'readyReplicas', 'cannot be greater than status.readyReplicas', errs);
      collisionCount(s, o, errs);
      return;
    case 'DaemonSet':
      nonnegative(s, ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'], errs);
      collisionCount(s, o, errs);
      return;
    case 'Job':
      nonnegative(s, ['active', 'succeeded', 'failed', 'ready', 'terminating'], errs);
      return;
    default:
      return;
  }
}
