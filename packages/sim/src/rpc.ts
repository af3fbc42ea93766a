import { TimeoutError } from '@clusterfunk/core'
import { ConnectionError } from './errors.js'
import type { Simulation } from './simulation.js'
import type { StreamListener, StreamNetwork } from './stream-network.js'

/** Answers one request: the reply bytes, or a promise of them. Throwing resets the connection. */
export type RequestHandler = (request: Uint8Array, from: string) => Uint8Array | Promise<Uint8Array>

export interface RequestOptions {
  /** Reject with `TimeoutError` when no reply came within this much virtual time. Required: a partition can swallow a reply. */
  timeoutMs: number
}

/**
 * Request/response over a `StreamNetwork`, one connection a request: the
 * client connects, sends the request, takes the first message back as the
 * reply and closes. Enough for RPC-shaped protocols (Raft's AppendEntries,
 * SWIM's push/pull) in simulation. Drive promise-based callers with the
 * simulation's `*Async` runners.
 */
export class SimRpc {
  constructor (private readonly sim: Simulation, private readonly network: StreamNetwork) {}

  /** Serves requests at `address` with `handler`. */
  serve (address: string, handler: RequestHandler): StreamListener {
    return this.network.listen(address, conn => {
      conn.onMessage(request => {
        let reply: Promise<Uint8Array>
        try {
          reply = Promise.resolve(handler(request, conn.remoteAddress))
        } catch (err) {
          reply = Promise.reject(err)
        }
        reply.then(
          bytes => { if (conn.state === 'open') conn.send(bytes) },
          () => { conn.reset() }
        )
      })
    })
  }

  /**
   * Sends `request` from `from` to `to` and resolves with the reply.
   * Rejects with `ConnectionError` when the connection fails or closes
   * before a reply, or `TimeoutError` after `timeoutMs`.
   */
  async request (from: string, to: string, request: Uint8Array, options: RequestOptions): Promise<Uint8Array> {
    const conn = this.network.connect(from, to)
    return await new Promise((resolve, reject) => {
      const timer = this.sim.schedule(options.timeoutMs, () => {
        reject(new TimeoutError(`no reply from ${to} within ${options.timeoutMs} ms`))
        conn.reset()
      })
      conn.onMessage(reply => {
        this.sim.clearTimeout(timer)
        resolve(reply)
        conn.close()
      })
      conn.onClose(err => {
        this.sim.clearTimeout(timer)
        reject(err ?? new ConnectionError('ECONNRESET', `${to} closed the connection before replying`))
      })
      conn.send(request)
    })
  }
}
