import type { Clock, Logger, TimerHandle } from '@clusterfunk/core'
import { ClientPool, peerProofKey, type ManagementClientTls } from '@clusterfunk/management'
import { ACK_ATTEMPT_MAX_MS, ACK_ATTEMPT_MIN_MS, ACK_RETRY_MS } from './constants.js'

/**
 * How acks reach a leader: one attempt, resolving true once the leader at
 * `address` took the ack, false when it refused, failed or `timeoutMs`
 * passed (never rejects). `close()` drops connections and attempts in
 * flight.
 */
export interface AckChannel {
  send: (address: string, nodeId: string, version: number, timeoutMs: number) => Promise<boolean>
  close: () => void
}

/** What an `AckSender` needs. */
export interface AckSenderInit {
  nodeId: string
  /** How an attempt reaches the leader: gRPC (`GrpcAckChannel`) or a simulated network. */
  channel: AckChannel
  clock: Clock
  logger: Logger
  /** The current leader's management endpoint, when known. */
  leaderAddress: () => string | undefined
  /** Whether proposal `version` is still the open one (an ack of a superseded proposal is dropped). */
  stillOwed: (version: number) => boolean
  /** How long to keep trying one ack (the leader's ack timeout). */
  timeoutMs: number
}


/**
 * Sends the acks a follower owes to the current leader. An ack is retried
 * — at the leader known at each attempt, every 25 ms — until the leader
 * took it, a newer proposal superseded it, or the ack timeout passed (the
 * leader has then left this node out, and lets it back in when it answers
 * again). Only the newest ack owed is sent.
 */
export class AckSender {
  private readonly init: AckSenderInit
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

  /** Stops sending and closes the channel. */
  stop (): void {
    this.stopped = true
    this.owed = undefined
    this.wake?.()
    this.init.channel.close()
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
        const timeoutMs = Math.max(ACK_ATTEMPT_MIN_MS, Math.min(owed.deadline - now, ACK_ATTEMPT_MAX_MS))
        if (address !== undefined && await this.init.channel.send(address, this.init.nodeId, owed.version, timeoutMs)) {
          this.sent++
          if (this.owed === owed) this.owed = undefined
          continue
        }
        if (address !== undefined) this.init.logger.debug('ack not taken', { version: owed.version, leader: address })
        await this.pause()
      }
    } finally {
      this.running = false
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
      this.timer = this.init.clock.setTimeout(done, ACK_RETRY_MS)
    })
  }
}

/** What a `GrpcAckChannel` dials with. */
export interface GrpcAckChannelInit {
  /** The cluster token: proven on each ack (a peer proof), never sent, as the leader's address comes from gossip. */
  token: string | undefined
  /** Dial the leader with TLS (trusting the cluster CA, presenting this node's certificate when asked). Default plaintext. */
  tls?: ManagementClientTls | undefined
  logger: Logger
}

/**
 * Acks as the leader's AckShardMap RPC, over one long-lived client per
 * leader address (with TLS when the node has it); a new leader address
 * replaces the client. The token is proven, never sent: the address is
 * gossip's word, and gossip without a key can be forged.
 */
export class GrpcAckChannel implements AckChannel {
  private readonly logger: Logger
  private readonly pool: ClientPool

  constructor (init: GrpcAckChannelInit) {
    this.logger = init.logger
    this.pool = new ClientPool({
      ...(init.token === undefined ? {} : { proofKey: peerProofKey(init.token) }),
      ...(init.tls === undefined ? {} : { tls: init.tls }),
      maxClients: 1
    })
  }

  async send (address: string, nodeId: string, version: number, timeoutMs: number): Promise<boolean> {
    try {
      await this.pool.get(address).ackShardMap(nodeId, version, { timeoutMs })
      return true
    } catch (err) {
      this.logger.debug('ack RPC failed', { version, leader: address, error: err instanceof Error ? err.message : String(err) })
      return false
    }
  }

  close (): void {
    this.pool.close()
  }
}
