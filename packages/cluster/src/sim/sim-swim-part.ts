import { NotStartedError, Service, type Clock, type EventHandler } from '@clusterfunk/core'
import type { Simulation } from '@clusterfunk/sim'
import type { Member, MemberEventType, SwimConfig, SwimPreset, Tags } from '@clusterfunk/swim'
import { SimSwim, type SimSwimNetworks } from '@clusterfunk/swim/sim'
import type { SwimPart } from '../cluster/part-types.js'

/** Options of a `SimSwimPart`. */
export interface SimSwimPartInit {
  id: string
  /** `"<node>:<port>"` on both networks. */
  address: string
  preset: SwimPreset
  /** Fields overriding the preset. */
  config?: Partial<SwimConfig>
}

/** How often a join or a leave looks whether it got through. */
const POLL_MS = 10

/**
 * `SimSwim` as the part a cluster node uses (`SwimPart`): the same SWIM
 * core, wire format and exchanges as `Swim`, on the simulation's networks.
 * What `Swim` awaits is polled on the node's clock: a join resolves once
 * another member is known (rejects after `tcpTimeoutMs` when none is), a
 * leave once its broadcast spread (false after `timeoutMs`).
 */
export class SimSwimPart extends Service implements SwimPart {
  readonly id: string
  private readonly swim: SimSwim
  private readonly clock: Clock
  private readonly addressText: string
  private crashed = false

  constructor (components: { sim: Simulation, networks: SimSwimNetworks, clock: Clock }, init: SimSwimPartInit) {
    super()
    this.id = init.id
    this.clock = components.clock
    this.addressText = init.address
    this.swim = new SimSwim(components.sim, components.networks, { id: init.id, address: init.address, preset: init.preset, ...(init.config === undefined ? {} : { config: init.config }) })
  }

  address (): string { return this.addressText }

  port (): number { return Number(this.addressText.slice(this.addressText.lastIndexOf(':') + 1)) }

  members (): Member[] { return this.swim.members() }

  allMembers (): Member[] { return this.swim.core.members() }

  member (id: string): Member | undefined { return this.swim.member(id) }

  localMember (): Member { return this.swim.member(this.id) as Member }

  setTags (tags: Tags | Record<string, string>): void {
    if (!this.swim.running) throw new NotStartedError('swim is not started')
    this.swim.setTags(tags)
  }

  async join (addresses: readonly string[]): Promise<number> {
    if (!this.swim.running) throw new NotStartedError('swim is not started')
    this.swim.join(addresses)
    const joined = await this.poll(() => this.swim.members().some(m => m.id !== this.id), this.swim.core.config.tcpTimeoutMs)
    if (!joined) throw new Error(`no member answered at ${addresses.join(', ')}`)
    return 1
  }

  async leave (options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (!this.swim.running) throw new NotStartedError('swim is not started')
    this.swim.leave()
    return await this.poll(() => this.swim.leaveDone, options.timeoutMs ?? 5_000)
  }

  addEventListener<K extends MemberEventType>(type: K, listener: EventHandler<Member>): void {
    this.swim.addEventListener(type, listener)
  }

  /** Stops the member dead: sockets and timers gone at once, no goodbye; a later `start()` fails. */
  crash (): void {
    this.crashed = true
    this.swim.crash()
  }

  protected async onStart (): Promise<void> {
    if (this.crashed) throw new Error(`swim ${this.addressText} crashed; build a new one`)
    this.swim.start()
  }

  protected async onStop (): Promise<void> {
    this.swim.crash()
  }

  /** Resolves true once `done()` holds, false after `timeoutMs`; checks every `POLL_MS` of the node's clock. */
  private async poll (done: () => boolean, timeoutMs: number): Promise<boolean> {
    const until = this.clock.now() + timeoutMs
    while (!done()) {
      if (this.clock.now() >= until || !this.swim.running) return false
      await new Promise<void>(resolve => { this.clock.setTimeout(resolve, POLL_MS) })
    }
    return true
  }
}
