/**
 * Turns the .proto files into the JSON descriptors `descriptors.ts` carries
 * (protobufjs's `toJSON` of each parsed file, field names in camelCase as
 * protobufjs and @grpc/proto-loader parse them by default). A node loads the
 * descriptors instead of parsing .proto text at every start; a test checks
 * that they still match the files.
 */
import path from 'node:path'
import protobuf from 'protobufjs'
import { PROTO_FILES, type ProtoFile } from './files.js'

/** The descriptor of every .proto file in `dir`, parsed and resolved. */
export function describe (dir: string): Record<ProtoFile, protobuf.INamespace> {
  const out: Partial<Record<ProtoFile, protobuf.INamespace>> = {}
  for (const file of PROTO_FILES) {
    const root = protobuf.loadSync(path.join(dir, file))
    root.resolveAll()
    out[file] = root.toJSON()
  }
  return out as Record<ProtoFile, protobuf.INamespace>
}

/** The source of `descriptors.ts` for these descriptors. */
export function descriptorsSource (descriptors: Record<ProtoFile, protobuf.INamespace>): string {
  return [
    '// Generated from the .proto files by `npm run descriptors -w @clusterfunk/proto`: do not edit.',
    '// A test regenerates it and fails when it no longer matches the .proto files.',
    "import type { ProtoFile } from './files.js'",
    '',
    '/** protobufjs JSON (`Root.toJSON()`) of each file. */',
    `export const DESCRIPTORS: Readonly<Record<ProtoFile, object>> = ${JSON.stringify(descriptors, null, 2)}`,
    ''
  ].join('\n')
}
