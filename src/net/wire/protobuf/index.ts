export {
  decodeKubernetesProtobuf,
  hasKubernetesProtobufPrefix,
  kubernetesProtobufContentType,
  ProtobufDecodeError,
  type DecodedProtobuf,
  type GroupVersionKindDefaults,
  type JsonObject,
  type JsonValue,
} from './decode.js';
