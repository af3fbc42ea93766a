import type { Clock, TimerHandle } from '@clusterfunk/core'
import type { Simulation } from './simulation.js'

/**
 * One node's view of a simulation's clock. Timers set through it are traced
 * under the node's name, and `cancelAll()` drops every one still pending,
 * which is what a crash does to a process's timers.
 */
export class NodeClock implements Clock {
  private readonly timers = new Set<TimerHandle>()

  constructor (private readonly sim: Simulation, readonly node: string) {}

  now (): number {
    return this.sim.now()
  }

  wallNow (): number {
    return this.sim.wallNow()
  }

  setTimeout (callback: () => void, ms: number): TimerHandle {
    const handle = this.sim.schedule(ms, () => {
      this.timers.delete(handle)
      callback()
    }, { label: 'timer', node: this.node })
    this.timers.add(handle)
    return handle
  }

  /** A 0 ms event: it runs after everything already due at this instant. */
  defer (callback: () => void): TimerHandle {
    return this.setTimeout(callback, 0)
  }

  clearTimeout (handle: TimerHandle): void {
    this.timers.delete(handle)
    this.sim.clearTimeout(handle)
  }

  /** Timers of this node still pending. */
  get pending (): number {
    return this.timers.size
  }

  /** Cancels every pending timer of this node. */
  cancelAll (): void {
    for (const handle of this.timers) this.sim.clearTimeout(handle)
    this.timers.clear()
  }
}
