// @clusterfunk/machine: a Raft application framework speaking RESP (uhaha's job on our Raft).

// RESP: frames, the server-side reader, the writer, replies.
export type { RespFrame, RespProtocol } from './resp-frame.js'
export { DEFAULT_RESP_LIMITS, type RespLimits } from './resp-limits.js'
export { RespReader, type RespReadResult, type RespReaderInit } from './resp-reader.js'
export { RespWriter, encodeCommand, encodeFrame, formatDouble, frameForProtocol } from './resp-writer.js'
export { splitInlineArgs } from './inline-args.js'
export { OK, RawReply, SimpleString, errorText, toFrame } from './reply.js'

// Errors.
export {
  CommandError, MachineDefinitionError, NoAuthError, RespProtocolError, SyntaxError, UnknownCommandError, WrongArgsError, WrongPassError
} from './errors.js'

// The application: its definition, what its commands see, the state machine under it.
export {
  defineMachine, type ConnDecision, type MachineDefinition, type MachineInit, type ServerReadyInfo
} from './definition.js'
export type {
  IntermediateCommand, IntermediateMachine, MachineRand, ReadCommand, ReadMachine, WriteCommand, WriteMachine
} from './machine-types.js'
export { decodeEntry, encodeEntry, type MachineEntry } from './entry-codec.js'
export { MachineFsm } from './machine-fsm.js'
export { LeaderClock } from './leader-clock.js'

// The node: Raft under the application, the RESP server, built-in commands.
export { MachineNode, type AnyMachineNode, type MachineNodeComponents } from './machine-node.js'
export { parseBindAddress, resolveNodeInit, type FollowerMode, type MachineNodeInit, type ResolvedNodeInit } from './node-options.js'
export { RespServer, type RespServerInit, type ServiceHandler } from './resp-server.js'
export { RespClient, type RespClientInit } from './resp-client.js'
export { BUILTIN_NAMES } from './builtins.js'
export type { ConnState } from './conn-state.js'
export { Monitor, formatMonitorLine, type MonitorMessage } from './monitor.js'
export { MachineMetrics } from './machine-metrics.js'
export { globToRegExp } from './glob.js'
export { UnsyncedStore } from './unsynced-store.js'
export {
  DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_MAX_ARRAY_ELEMENTS, DEFAULT_MAX_BULK_BYTES, DEFAULT_MAX_INLINE_BYTES, DEFAULT_MAX_NESTING,
  DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_MAX_PENDING_BYTES, DEFAULT_NODE_ID, DEFAULT_PORT, DEFAULT_TICK_DELAY_MS, RAFT_PORT_OFFSET
} from './constants.js'

// The process: uhaha's Main and its flags.
export { buildCommand, main, nodeInitFromFlags, type CliOptions } from './cli.js'
export { httpService } from './http-service.js'
export { frameToJson } from './frame-json.js'
export type { ServiceFactory } from './machine-node.js'
