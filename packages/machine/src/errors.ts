import { ClusterfunkError } from '@clusterfunk/core'

/** Bytes on a client connection that are not RESP (or exceed a bound); the connection is answered and closed. */
export class RespProtocolError extends ClusterfunkError {
  static readonly code = 'ERR_RESP_PROTOCOL'
  constructor (message: string) {
    super(message, RespProtocolError.code)
    this.name = 'RespProtocolError'
  }
}

/**
 * An error a command returns to its client. `prefix` is the first word of
 * the RESP error (`ERR`, `WRONGTYPE`, `NOAUTH`, ...), so clients can match it.
 */
export class CommandError extends ClusterfunkError {
  static readonly code = 'ERR_COMMAND'
  readonly prefix: string
  constructor (message: string, prefix = 'ERR') {
    super(message, CommandError.code)
    this.name = 'CommandError'
    this.prefix = prefix
  }
}

/** The command name is not known. */
export class UnknownCommandError extends CommandError {
  constructor (name: string) {
    super(`unknown command '${name}'`)
    this.name = 'UnknownCommandError'
  }
}

/** The command got the wrong number of arguments. */
export class WrongArgsError extends CommandError {
  constructor (name: string) {
    super(`wrong number of arguments for '${name.toLowerCase()}' command`)
    this.name = 'WrongArgsError'
  }
}

/** A syntax error in a command's arguments. */
export class SyntaxError extends CommandError {
  constructor (message = 'syntax error') {
    super(message)
    this.name = 'SyntaxError'
  }
}

/** The connection has not authenticated and the node has an auth secret. */
export class NoAuthError extends CommandError {
  constructor () {
    super('Authentication required.', 'NOAUTH')
    this.name = 'NoAuthError'
  }
}

/** AUTH with a wrong password. */
export class WrongPassError extends CommandError {
  constructor () {
    super('invalid password', 'WRONGPASS')
    this.name = 'WrongPassError'
  }
}

/** A definition given to `defineMachine` is inconsistent. */
export class MachineDefinitionError extends ClusterfunkError {
  static readonly code = 'ERR_MACHINE_DEFINITION'
  constructor (message: string) {
    super(message, MachineDefinitionError.code)
    this.name = 'MachineDefinitionError'
  }
}
