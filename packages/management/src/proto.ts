import { fromJSON, type MethodDefinition, type PackageDefinition, type ServiceDefinition } from '@grpc/proto-loader'
import { protoJson } from '@clusterfunk/proto'
import { bodyDigest } from './peer-proof.js'

/** The proto package of the management API. */
export const MANAGEMENT_PACKAGE = 'clusterfunk.management'
/** The management wire format this code speaks (`FormatVersion` in management.proto). */
export const MANAGEMENT_FORMAT_VERSION = 1
/** Largest request a server accepts, and largest message either side sends on its own: requests are small. */
export const MAX_REQUEST_BYTES = 64 * 1024

/** The names of the management RPCs. */
export type ManagementMethod =
  | 'GetStatus' | 'ListNodes' | 'AddNode' | 'RemoveNode' | 'StepDown'
  | 'ListShards' | 'ListEndpoints' | 'FindEndpoint' | 'WatchEvents' | 'AckShardMap'
  | 'StateGet' | 'StateList' | 'StateWrite' | 'StateWatch' | 'LockCall' | 'ListLocks'
  | 'Request' | 'FireEvent' | 'Query' | 'GetMemberInfo'

/** A decoded message as proto-loader gives it: camelCase fields, enums as names, int64 as numbers. */
export type Wire = Record<string, unknown>

let loaded: PackageDefinition | undefined

/** Loads proto/management.proto once (proto-loader: camelCase, enum names, longs as numbers, defaults filled). */
export function managementPackage (): PackageDefinition {
  loaded ??= fromJSON(protoJson('management.proto'), {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true
  })
  return loaded
}

/** The `Management` service definition, for `grpc.Server.addService`. */
export function managementService (): ServiceDefinition {
  return managementPackage()[`${MANAGEMENT_PACKAGE}.Management`] as ServiceDefinition
}

/** One RPC's definition: path and (de)serializers. */
export function managementMethod (name: ManagementMethod): MethodDefinition<Wire, Wire> {
  const method = managementService()[name]
  if (method === undefined) throw new Error(`management.proto has no method ${name}`)
  return method as MethodDefinition<Wire, Wire>
}

const BODY_DIGEST = Symbol('clusterfunk.management.bodyDigest')

/**
 * `service` with every request deserializer also noting the SHA-256 of the
 * request's bytes on the decoded message (`digestOf`), so a server can check
 * a peer proof bound to them without encoding the message again.
 */
export function withBodyDigests (service: ServiceDefinition): ServiceDefinition {
  const out: Record<string, MethodDefinition<Wire, Wire>> = {}
  for (const [name, definition] of Object.entries(service)) {
    const method = definition as MethodDefinition<Wire, Wire>
    out[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): Wire => {
        const message = method.requestDeserialize(bytes)
        Object.defineProperty(message, BODY_DIGEST, { value: bodyDigest(bytes), enumerable: false })
        return message
      }
    }
  }
  return out as ServiceDefinition
}

/** The digest `withBodyDigests` noted on a request, if any. */
export function digestOf (request: Wire): Buffer | undefined {
  const digest = (request as Record<symbol, unknown>)[BODY_DIGEST]
  return Buffer.isBuffer(digest) ? digest : undefined
}
