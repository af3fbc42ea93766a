import type { KvClusterView } from './view.js'

/**
 * The requests waiting for a node to be Operational, on one state listener
 * however many there are (a listener each would pass the emitter's leak
 * warning after ten): `wait(ms)` resolves true once the node is
 * Operational (at once if it is), or false after `ms`. Requests wait here
 * during a reshard or an election instead of being served from a map that
 * is about to change.
 */
export class OperationalWaiters {
  private readonly waiting = new Set<(ok: boolean) => void>()
  private off: (() => void) | undefined

  constructor (private readonly view: KvClusterView) {}

  /** How many requests are waiting now. */
  get size (): number { return this.waiting.size }

  async wait (timeoutMs: number): Promise<boolean> {
    if (this.view.state === 'Operational') return true
    this.off ??= this.view.onStateChange(state => { if (state === 'Operational') this.release() })
    return await new Promise<boolean>(resolve => {
      const done = (ok: boolean): void => {
        clearTimeout(timer)
        this.waiting.delete(done)
        if (this.waiting.size === 0) this.unlisten()
        resolve(ok)
      }
      const timer = setTimeout(() => { done(false) }, timeoutMs)
      this.waiting.add(done)
    })
  }

  /** Lets every waiting request go on, false: the server is stopping. */
  cancelAll (): void {
    for (const done of [...this.waiting]) done(false)
  }

  private release (): void {
    for (const done of [...this.waiting]) done(true)
  }

  private unlisten (): void {
    this.off?.()
    this.off = undefined
  }
}
