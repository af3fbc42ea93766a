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
