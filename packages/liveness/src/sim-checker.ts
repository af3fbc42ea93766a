import {
  InvalidArgumentError, InvalidConfigError, NotStartedError, Service, TypedEventEmitter, noopMetrics,
  type Clock, type EventHandler, type ListenerOptions, type Metrics, type Random, type TimerHandle
} from '@clusterfunk/core'
import { resolveCheckerInit } from './checker-init.js'
import type { LivenessCheckerStats } from './checker.js'
import { TICK_MS } from './constants.js'
import { DropCounter } from './drops.js'
import type { LivenessEvents, NodeAddress, NodeStatus } from './events.js'
import { keyBytes, nodeIdBytes, type LivenessKey } from './options.js'
import { KIND_PROBE, KIND_REPLY, createPacketView, decodePacket, packetTemplate, sealPacket, verifyPacket, writeFreshness, writeNonce } from './packet.js'
import { simAddressString, simNodeAddress, type DatagramNetwork, type DatagramSocket } from './sim-datagram.js'
import { LivenessTracker, type TrackedNode } from './tracker.js'

/** What a `SimLivenessChecker` runs on: a simulated network, the node's virtual clock and a seeded random. */
export interface SimLivenessCheckerComponents {
  network: DatagramNetwork
  clock: Clock
  random: Random
  metrics?: Metrics
}

/** Options of a `SimLivenessChecker`: `LivenessChecker`'s, with a simulated address. */
export interface SimLivenessCheckerInit {
  /** Where its socket binds, `"<node>:<port>"`. */
  address: string
  intervalMs?: number
  retries?: number
  timeoutMultiplier?: number
  minTimeoutMs?: number
  key?: LivenessKey
}

/**
 * `LivenessChecker` on a simulated datagram network and a virtual clock:
 * the same verdict rules (`LivenessTracker`), packets and events
 * (`node:dead`, `node:alive`), one timer that wakes at most every
 * `TICK_MS`. Node addresses are `{ host: <node>, port }`. Without real
 * sockets there is no poll phase to wait for, so a wake-up judges at once
 * where the real checker defers to `setImmediate`. `crash()` drops the
 * socket and the timer at once.
 */
export class SimLivenessChecker extends Service {
  private readonly network: DatagramNetwork
  private readonly clock: Clock
  private readonly bindAddress: string
  private readonly key: Buffer | undefined
  private sentAtMs = 0
  private readonly emitter = new TypedEventEmitter<LivenessEvents>()
  private readonly tracker: LivenessTracker<Buffer>
  private readonly drops: DropCounter
  private readonly view = createPacketView()
  private readonly counts = { probesSent: 0, replies: 0, timeouts: 0 }
  private socket: DatagramSocket | undefined
  private timer: TimerHandle | undefined
  private timerAt = Infinity
  private crashed = false

  /** @throws InvalidConfigError naming the option at fault */
  constructor (components: SimLivenessCheckerComponents, init: SimLivenessCheckerInit) {
    super()
    const { address, key, ...rules } = init
    const resolved = resolveCheckerInit(rules)
    try {
      simNodeAddress(address)
    } catch (err) {
      throw new InvalidConfigError('address', (err as Error).message)
    }
    this.bindAddress = address
    this.key = keyBytes('key', key)
    this.network = components.network
    this.clock = components.clock
    this.drops = new DropCounter(components.metrics ?? noopMetrics, 'clusterfunk_liveness_dropped_packets_total', 'Datagrams the liveness checker dropped, by reason')
    this.tracker = new LivenessTracker<Buffer>(resolved, components.random, {
      probe: node => { this.sendProbe(node) },
      timeout: () => { this.counts.timeouts++ },
      dead: e => { this.emitter.emit('node:dead', e) },
      alive: e => { this.emitter.emit('node:alive', e) }
    })
  }

  /** Starts watching `id` at `{ host: <node>, port }`; as `LivenessChecker.add`. @throws InvalidArgumentError for a bad id or address */
  add (id: string, address: NodeAddress, options: { probeNow?: boolean } = {}): void {
    const idBytes = nodeIdBytes(id, m => new InvalidArgumentError(`node id ${m}`))
    if (typeof address?.host !== 'string' || address.host === '' || !Number.isInteger(address.port) || address.port < 1 || address.port > 65_535) {
      throw new InvalidArgumentError('address must be { host, port } with a port from 1 to 65535')
    }
    if (this.tracker.add(id, address, packetTemplate(KIND_PROBE, idBytes), this.clock.now(), options.probeNow === true)) this.arm(this.clock.now())
  }

  /** Stops watching `id` (no event). */
  remove (id: string): boolean {
    return this.tracker.remove(id)
  }

  /** Stops watching every node. */
  clear (): void {
    this.tracker.clear()
  }

  /** What the checker believes of `id`, if it watches it. */
  nodeStatus (id: string): NodeStatus | undefined {
    return this.tracker.status(id)
  }

  /** Every watched node. */
  nodes (): NodeStatus[] {
    return this.tracker.nodes()
  }

  /** Where probes leave from. @throws NotStartedError when not started */
  address (): NodeAddress {
    if (this.socket === undefined) throw new NotStartedError('the liveness checker is not started')
    return simNodeAddress(this.bindAddress)
  }

  /** Counts since construction. */
  stats (): LivenessCheckerStats {
    return { ...this.counts, dropped: this.drops.snapshot() }
  }

  addEventListener<K extends keyof LivenessEvents & string>(type: K, listener: EventHandler<LivenessEvents[K]>, options?: ListenerOptions): void {
    this.emitter.addEventListener(type, listener, options)
  }

  removeEventListener<K extends keyof LivenessEvents & string>(type: K, listener: EventHandler<LivenessEvents[K]>): void {
    this.emitter.removeEventListener(type, listener)
  }

  /** Drops the socket and the timer now (a killed process) and for good: a later `start()` fails; `stop()` is harmless. */
  crash (): void {
    this.crashed = true
    this.release()
  }

  private release (): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
    this.socket?.close()
    this.socket = undefined
  }

  protected async onStart (): Promise<void> {
    if (this.crashed) throw new Error(`liveness checker ${this.bindAddress} crashed; build a new one`)
    const socket = this.network.bind(this.bindAddress)
    socket.onMessage((bytes, from) => { this.onMessage(bytes, from) })
    this.socket = socket
    const now = this.clock.now()
    this.tracker.reschedule(now)
    this.arm(now)
  }

  protected async onStop (): Promise<void> {
    this.release()
  }

  /** Makes sure the one timer fires no later than `due` (and no sooner than a tick from now). */
  private arm (due: number): void {
    if (this.socket === undefined || due === Infinity) return
    const at = Math.max(due, this.clock.now() + TICK_MS)
    if (this.timer !== undefined) {
      if (this.timerAt <= at) return
      this.clock.clearTimeout(this.timer)
    }
    this.timerAt = at
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.timerAt = Infinity
      if (this.socket !== undefined) this.arm(this.tracker.tick(this.clock.now()))
    }, at - this.clock.now())
  }

  private sendProbe (node: TrackedNode<Buffer>): void {
    const socket = this.socket
    if (socket === undefined || !socket.isOpen) return
    writeNonce(node.tag, node.nonceLo, node.nonceHi)
    // Keyed packets must carry freshness fields; the simulated endpoint does not check them.
    if (this.key !== undefined) writeFreshness(node.tag, 1, 0, ++this.sentAtMs)
    const length = sealPacket(node.tag, this.key)
    // A plain copy: a network that "copies" with slice() would hand out a view of a Buffer, and the template is rewritten for every probe.
    socket.send(simAddressString(node.address), Uint8Array.from(node.tag.subarray(0, length)))
    this.counts.probesSent++
  }

  private onMessage (bytes: Uint8Array, from: string): void {
    const view = this.view
    const reason = decodePacket(bytes, view)
    if (reason !== undefined) { this.drops.drop(reason); return }
    if (view.kind !== KIND_REPLY) { this.drops.drop('kind'); return }
    if (this.key !== undefined && !verifyPacket(bytes, view, this.key)) { this.drops.drop('auth'); return }
    const id = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8', view.idStart, view.idEnd)
    let source: NodeAddress
    try {
      source = simNodeAddress(from)
    } catch {
      this.drops.drop('source')
      return
    }
    const result = this.tracker.reply(id, view.nonceLo, view.nonceHi, source.host, source.port, this.clock.now())
    if (typeof result === 'string') { this.drops.drop(result); return }
    this.counts.replies++
    this.arm(result.nextProbeAt)
  }
}
