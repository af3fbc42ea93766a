import type { Clock, PacketPorts, Random, StreamPorts } from '@clusterfunk/core'
import { HostClock } from './host-clock.js'
import { SimPacketPorts } from './sim-packet-port.js'
import type { SimHosts } from './sim-hosts.js'
import { SimStreamPorts } from './sim-stream-port.js'

/** First port handed out for a bind to port 0 and for the client end of a connection. */
const FIRST_EPHEMERAL_PORT = 49_152

/**
 * One incarnation of a simulated machine: an IP, a clock, and packet and
 * stream ports bound on the simulated networks, to hand to the drivers that
 * ship (`Swim`, `LivenessChecker`, ...) in place of `udpPorts` / `tcpPorts`
 * and the system clock.
 *
 * Faults of the whole machine: `crash()` is kill -9 (ports closed,
 * connections reset, timers gone, nothing of it runs again); `pause()` /
 * `resume()` is SIGSTOP / SIGCONT (datagrams, stream data and timers wait,
 * then run in the order they came); `mute(port)` drops the datagrams that
 * arrive on one port, as a firewall rule would.
 */
export class SimHost {
  /** Its IP: what its drivers bind and what peers address. */
  readonly ip: string
  /** The clock its drivers must run on (held while paused, dead after a crash). */
  readonly clock: Clock
  readonly packets: PacketPorts
  readonly streams: StreamPorts
  private readonly hostClock: HostClock
  private readonly packetPorts: SimPacketPorts
  private readonly streamPorts: SimStreamPorts
  private state: 'running' | 'paused' | 'crashed' = 'running'
  private held: Array<() => void> = []
  private nextEphemeral = FIRST_EPHEMERAL_PORT
  private readonly muted = new Set<number>()

  constructor (readonly hosts: SimHosts, readonly name: string, clock: Clock) {
    this.ip = hosts.ipOf(name)
    this.hostClock = new HostClock(clock, this.input)
    this.clock = this.hostClock
    this.packetPorts = new SimPacketPorts(this)
    this.streamPorts = new SimStreamPorts(this)
    this.packets = this.packetPorts
    this.streams = this.streamPorts
  }

  /** `host:port` of this host, as peers address it. */
  address (port: number): string {
    return `${this.ip}:${port}`
  }

  /** A random stream of this host for `label`, from the simulation's seed. */
  fork (label: string): Random {
    return this.hosts.sim.fork(`${label}:${this.name}`)
  }

  get crashed (): boolean {
    return this.state === 'crashed'
  }

  get paused (): boolean {
    return this.state === 'paused'
  }

  /** kill -9: every port closed (connections reset), every timer gone, for good. */
  crash (): void {
    if (this.state === 'crashed') return
    this.state = 'crashed'
    this.held = []
    this.hostClock.kill()
    this.packetPorts.crash()
    this.streamPorts.crash()
  }

  /** SIGSTOP: what arrives and what falls due waits until `resume()`. */
  pause (): void {
    if (this.state === 'running') this.state = 'paused'
  }

  /** SIGCONT: runs what waited, in order. */
  resume (): void {
    if (this.state !== 'paused') return
    this.state = 'running'
    const held = this.held
    this.held = []
    for (const input of held) input()
  }

  /** Drops every datagram that arrives on `port` while muted, or lets them through again. */
  mute (port: number, muted: boolean): void {
    if (muted) this.muted.add(port)
    else this.muted.delete(port)
  }

  /** @internal Runs an input now, holds it while paused, drops it once crashed. */
  readonly input = (fn: () => void): void => {
    if (this.state === 'running') fn()
    else if (this.state === 'paused') this.held.push(fn)
  }

  /** @internal */
  isMuted (port: number): boolean {
    return this.muted.has(port)
  }

  /** @internal A port for a bind to 0 or a client end: the next one this incarnation has not handed out. */
  ephemeralPort (): number {
    return this.nextEphemeral++
  }
}
