// The Kubernetes object model: kinds, object types, metadata semantics, defaulting, validation,
// quantities and selectors. Import from here unless you need one module's internals.

export * from './kinds.js';
export type * from './types.js';
export { isKind } from './types.js';
export {
  generateName,
  formatTimestamp,
  tracksGeneration,
  prepareForCreate,
  prepareForUpdate,
  prepareForStatusUpdate,
  prepareForFinalize,
  desiredStateChanged,
  deepEqual,
  planDelete,
  shouldDeleteAfterUpdate,
  hasPendingFinalizers,
  finalizersForPropagation,
  finalizerOrphan,
  finalizerForeground,
  finalizerKubernetes,
  type PropagationPolicy,
  type DeleteOptions,
  type DeletePlan,
} from './meta.js';
export {
  applyDefaults,
  defaultInPlace,
  cloneJson,
  generateJobSelector,
  labelControllerUid,
  labelJobName,
  imageTag,
  builtinPriorityClasses,
  podQOSClass,
  type DefaultingOperation,
} from './defaults/index.js';
export {
  validate,
  validateStatusUpdate,
  formatFieldError,
  fieldErrorBody,
  invalidError,
  aggregateMessage,
  type FieldError,
  type FieldErrorType,
} from './validation/index.js';
export {
  parseQuantity,
  tryParseQuantity,
  formatQuantity,
  compareQuantities,
  quantityToMilli,
  QuantityError,
  type Quantity,
} from './quantity.js';
export {
  parseLabelSelector,
  labelSelectorFromObject,
  labelSelectorFromSet,
  validateLabelKey,
  validateLabelValue,
  SelectorError,
  type LabelSelectorObject,
  type Labels,
} from './labels.js';
