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
