/**
 * `pristine-kernel/protobuf`: the parts of @bufbuild/protobuf's runtime that plugins with protobuf bodies
 * need (generated descriptors, messages, the binary wire format). Why here: the kernel's ProtobufCodec
 * compiles protobuf-es into the kernel's bundle, and a plugin that compiled in its own copy loaded it
 * twice per process (code, module scope and the descriptor.proto boot). Plugins' generated code imports
 * these through protoc-gen-es's `rewrite_imports` (examples/tinkex/proto/buf.gen.yaml).
 */
export {
  create,
  fromBinary,
  toBinary,
  isMessage,
  type DescEnum,
  type DescField,
  type DescFile,
  type DescMessage,
  type Message,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
export { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
export {
  enumDesc,
  fileDesc,
  messageDesc,
  type GenEnum,
  type GenFile,
  type GenMessage,
} from '@bufbuild/protobuf/codegenv2';
