import type { TimerHandle } from '@clusterfunk/core'
import { NodeClock } from '@clusterfunk/sim'

/**
 * A node clock that can be paused like a process (SIGSTOP, a long GC):
 * time goes on, but no timer of the node fires until `resume()`, when the
 * ones that came due meanwhile fire at once, late.
 */
export class PausableClock extends NodeClock {
  paused = false
  private readonly held = new Map<TimerHandle, () => void>()

  override setTimeout (callback: () => void, ms: number): TimerHandle {
    const handle: TimerHandle = super.setTimeout(() => {
      if (this.paused) this.held.set(handle, callback)
      else callback()
    }, ms)
    return handle
  }

  override clearTimeout (handle: TimerHandle): void {
    this.held.delete(handle)
    super.clearTimeout(handle)
  }

  resume (): void {
    this.paused = false
    const due = [...this.held.values()]
    this.held.clear()
    for (const callback of due) callback()
  }

  override cancelAll (): void {
    this.held.clear()
    super.cancelAll()
  }
}
