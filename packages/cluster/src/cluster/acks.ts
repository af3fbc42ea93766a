import type { Clock, Logger, TimerHandle } from '@clusterfunk/core'
import { ManagementClient, type ManagementClientTls } from '../management/client.js'

/** What an `AckSender` needs. */
export interface AckSenderInit {
  nodeId: string
  token: string | undefined
  /** Dial the leader with TLS (trusting the cluster CA, presenting this node's certificate when asked). Default plaintext. */
  tls?: ManagementClientTls | undefined
  /** Send the token without TLS to a non-loopback leader. */
  allowInsecureToken: boolean
  clock: Clock
  logger: Logger
  /** The current leader's management endpoint, when known. */
  leaderAddress: () => string | undefined
  /** Whether proposal `version` is still the open one (an ack of a superseded proposal is dropped). */
  stillOwed: (version: number) => boolean
  /** How long to keep trying one ack (the leader's ack timeout). */
  timeoutMs: number
}

const RETRY_MS = 25

/**
 * Sends the acks a follower owes to the current leader (the AckShardMap
 * RPC), over one long-lived client per leader address (with TLS when the
 * node has it, so the token never travels in clear). An ack is retried —
 * at the leader known at each attempt — until the leader took it, a newer
 * proposal superseded it, or the ack timeout passed (the leader has then
 * left this node out, and lets it back in when it answers again).
 */
export class AckSender {
  private readonly init: AckSenderInit
  private readonly clients = new Map<string, ManagementClient>()
  private owed: { version: number, deadline: number } | undefined
  private running = false
  private stopped = false
  private wake: (() => void) | undefined
  private timer: TimerHandle | undefined
  /** Acks the leader took. */
  sent = 0

  constructor (init: AckSenderInit) {
    this.init = init
  }

  /** This node applied proposal `version`: tell the leader. */
  owe (version: number): void {
    if (this.stopped) return
    if (this.owed !== undefined && this.owed.version > version) return
    this.owed = { version, deadline: this.init.clock.now() + this.init.timeoutMs }
    if (!this.running) void this.loop()
    else this.wake?.()
  }

  /** Stops sending and closes every client. */
  stop (): void {
    this.stopped = true
    this.owed = undefined
    this.wake?.()
    for (const client of this.clients.values()) client.close()
    this.clients.clear()
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
        if (address !== undefined && await this.send(address, owed.version, owed.deadline - now)) {
          if (this.owed === owed) this.owed = undefined
          continue
        }
        await this.pause()
      }
    } finally {
      this.running = false
    }
  }

  private async send (address: string, version: number, remainingMs: number): Promise<boolean> {
    try {
      await this.client(address).ackShardMap(this.init.nodeId, version, { timeoutMs: Math.max(20, Math.min(remainingMs, 250)) })
      this.sent++
      return true
    } catch (err) {
      this.init.logger.debug('ack not taken', { version, leader: address, error: err instanceof Error ? err.message : String(err) })
      return false
    }
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

  private client (address: string): ManagementClient {
    let client = this.clients.get(address)
    if (client === undefined) {
      for (const old of this.clients.values()) old.close()
      this.clients.clear()
      client = new ManagementClient({
        address,
        ...(this.init.token === undefined ? {} : { token: this.init.token }),
        ...(this.init.tls === undefined ? {} : { tls: this.init.tls }),
        allowInsecureToken: this.init.allowInsecureToken
      })
      this.clients.set(address, client)
    }
    return client
  }
}
