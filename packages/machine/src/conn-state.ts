import type { RespProtocol } from './resp-frame.js'

/** What the node knows of one client connection (built-in and intermediate commands change it). */
export interface ConnState {
  readonly id: number
  readonly remoteAddress: string
  protocol: RespProtocol
  authed: boolean
  context: unknown
  name: string | undefined
  /** Set by MONITOR: the connection now only receives the command stream. */
  monitor: boolean
  /** Set by QUIT: close once the reply is written. */
  quit: boolean
}
