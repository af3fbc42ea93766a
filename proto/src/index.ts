/**
 * Every byte a clusterfunk node puts on the wire is defined by a .proto file
 * in this folder. Packages load the message types from here by name. The
 * .proto files stay the one source of truth: what a node loads is their
 * descriptors (`descriptors.ts`, generated from them and checked against
 * them by a test), so no start parses .proto text or reads a file relative
 * to this module — a bundled service starts as fast as it can.
 */
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import protobuf from 'protobufjs'
import { DESCRIPTORS } from './descriptors.js'
import { PROTO_FILES, type ProtoFile } from './files.js'

export { PROTO_FILES, type ProtoFile }

/** The folder holding the .proto files (for @grpc/proto-loader and tools). */
export const protoDir: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const roots = new Map<string, protobuf.Root>()

/**
 * The descriptor of one protocol file (protobufjs JSON, camelCase field
 * names): for `@grpc/proto-loader`'s `fromJSON`.
 */
export function protoJson (file: ProtoFile): protobuf.INamespace {
  const descriptor = DESCRIPTORS[file] as protobuf.INamespace | undefined
  if (descriptor === undefined) throw new Error(`no protocol file ${String(file)}`)
  return descriptor
}

/**
 * Loads (once) and returns the protobufjs root of one protocol file, such as
 * `'sharding.proto'`. Throws if there is no such file.
 */
export function loadProto (file: ProtoFile): protobuf.Root {
  let root = roots.get(file)
  if (root === undefined) {
    root = protobuf.Root.fromJSON(protoJson(file))
    root.resolveAll()
    roots.set(file, root)
  }
  return root
}

/** Looks up one message type, such as `loadType('sharding.proto', 'clusterfunk.sharding.ShardMap')`. */
export function loadType (file: ProtoFile, name: string): protobuf.Type {
  return loadProto(file).lookupType(name)
}

export { protobuf }
