/**
 * Every byte a clusterfunk node puts on the wire is defined by a .proto file
 * in this folder. Packages load the message types from here by name, so the
 * .proto files stay the one source of truth and nothing is generated.
 */
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import protobuf from 'protobufjs'

/** The folder holding the .proto files (for @grpc/proto-loader and tools). */
export const protoDir: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const roots = new Map<string, protobuf.Root>()

/**
 * Loads (once) and returns the protobufjs root of one protocol file, such as
 * `'sharding.proto'`. Throws if the file does not exist or does not parse.
 */
export function loadProto (file: string): protobuf.Root {
  let root = roots.get(file)
  if (root === undefined) {
    root = protobuf.loadSync(path.join(protoDir, file))
    root.resolveAll()
    roots.set(file, root)
  }
  return root
}

/** Looks up one message type, such as `loadType('sharding.proto', 'clusterfunk.sharding.ShardMap')`. */
export function loadType (file: string, name: string): protobuf.Type {
  return loadProto(file).lookupType(name)
}

export { protobuf }
