// The `@clusterfunk/raft/grpc` entry point: the transport over gRPC (@grpc/grpc-js and
// @grpc/proto-loader are optional peer dependencies of @clusterfunk/raft: install them to use this entry).
export {
  GrpcTransport, type GrpcCallLimits, type GrpcTlsInit, type GrpcTransportComponents, type GrpcTransportInit, type RejectReason
} from './grpc-transport.js'
// The call proof and message seal, for tools that speak the transport's format (the hostile-input suite).
export { RaftAuth, AUTH_KEY, ADDRESS_KEY, TRAILER_BYTES, type CallContext } from './raft-auth.js'
