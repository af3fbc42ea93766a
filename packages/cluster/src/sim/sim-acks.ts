import type { Clock, Logger, TimerHandle } from '@clusterfunk/core'
import type { SimConnection, StreamNetwork } from '@clusterfunk/sim'
import type { AckPart } from '../cluster/part-types.js'
import { encodeAck } from '../coordinator/codec.js'
import { ACK_TAKEN } from './sim-management.js'

/** What a `SimAckSender` needs: `AckSender`'s, with a simulated network in place of gRPC. */
export interface SimAckSenderInit {
  nodeId: string
  /** This node's address on the network (`"<node>:<port>"`): where its connections come from. */
  address: string
  network: StreamNetwork
  clock: Clock
  logger: Logger
  /** The current leader's management endpoint, when known. */
  leaderAddress: () => string | undefined
  /** Whether proposal `version` is still the open one. */
  stillOwed: (version: number) => boolean
  /** How long to keep trying one ack (the leader's ack timeout). */
  timeoutMs: number
}

/** As `AckSender`: the pause between two attempts. */
const RETRY_MS = 25

/**
 * `AckSender`'s rules on a simulated network: the newest ack owed is sent
 * to the leader known at each attempt, one connection an attempt (bounded
 * by 20–250 ms, as the gRPC deadline), retried every 25 ms until the
 * leader took it, a newer proposal superseded it, or the ack timeout
 * passed. `stop()` also resets the attempt in flight (a crash).
 */
export class SimAckSender implements AckPart {
  private readonly init: SimAckSenderInit
  private owed: { version: number, deadline: number } | undefined
  private running = false
  private stopped = false
  private wake: (() => void) | undefined
  private timer: TimerHandle | undefined
  private readonly inFlight = new Set<SimConnection>()
  /** Acks the leader took. */
  sent = 0

  constructor (init: SimAckSenderInit) {
    this.init = init
  }

  owe (version: number): void {
    if (this.stopped) return
    if (this.owed !== undefined && this.owed.version > version) return
    this.owed = { version, deadline: this.init.clock.now() + this.init.timeoutMs }
    if (!this.running) void this.loop()
    else this.wake?.()
  }

  stop (): void {
    this.stopped = true
    this.owed = undefined
    this.wake?.()
    for (const conn of [...this.inFlight]) conn.reset()
  }

  private async loop (): Promise<void> {
    this.running = true
    try {
      for (;;) {
        const owed = this.owed
        if (this.stopped || owed === undefined) return
        const now = this.init.clock.now()
        if (now >= owed.deadline || !this.init.stillOwed(owed.version)) {
          if (this.owed === owed) this.owed = undefined
          continue
        }
        const address = this.init.leaderAddress()
        if (address !== undefined && await this.send(address, owed.version, Math.max(20, Math.min(owed.deadline - now, 250)))) {
          this.sent++
          if (this.owed === owed) this.owed = undefined
          continue
        }
        await this.pause()
      }
    } finally {
      this.running = false
    }
  }

  /** One attempt: connect, send the ack, wait for the byte that says the leader took it. */
  private async send (to: string, version: number, timeoutMs: number): Promise<boolean> {
    const conn = this.init.network.connect(this.init.address, to)
    this.inFlight.add(conn)
    const taken = await new Promise<boolean>(resolve => {
      const deadline = this.init.clock.setTimeout(() => { resolve(false); conn.reset() }, timeoutMs)
      conn.onMessage(bytes => { this.init.clock.clearTimeout(deadline); resolve(bytes[0] === ACK_TAKEN); conn.close() })
      conn.onClose(() => { this.init.clock.clearTimeout(deadline); resolve(false) })
      conn.send(encodeAck({ version, nodeId: this.init.nodeId }))
    })
    this.inFlight.delete(conn)
    if (!taken) this.init.logger.debug('ack not taken', { version, leader: to })
    return taken
  }

  private async pause (): Promise<void> {
    await new Promise<void>(resolve => {
      const done = (): void => {
        if (this.timer !== undefined) this.init.clock.clearTimeout(this.timer)
        this.timer = undefined
        this.wake = undefined
        resolve()
      }
      this.wake = done
      this.timer = this.init.clock.setTimeout(done, RETRY_MS)
    })
  }
}
