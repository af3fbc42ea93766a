/** Every wire format, one .proto file a protocol. */
export const PROTO_FILES = ['swim.proto', 'liveness.proto', 'sharding.proto', 'cluster.proto', 'raft.proto', 'management.proto'] as const

export type ProtoFile = typeof PROTO_FILES[number]
