import type { AbortOptions } from './abort.js'

/**
 * A component that holds resources (sockets, timers, files, records) between
 * `start()` and `stop()`. Both are idempotent. After `stop()` resolves every
 * resource is released, so a process whose services stopped exits on its own.
 */
export interface Startable {
  start: (options?: AbortOptions) => Promise<void>
  stop: () => Promise<void>
  readonly status: ServiceStatus
}

export type ServiceStatus = 'stopped' | 'starting' | 'started' | 'stopping'

/**
 * A base class that makes start/stop idempotent and ordered: concurrent
 * `start()` calls share one start, `stop()` during a start waits for it and
 * then stops, and a start that throws releases what it had taken (its
 * `onStop()` runs) before the error reaches the caller.
 */
export abstract class Service implements Startable {
  private current: ServiceStatus = 'stopped'
  private starting?: Promise<void>
  private stopping?: Promise<void>

  get status (): ServiceStatus {
    return this.current
  }

  /** Takes the resources. Called once per start; may be partially done when it throws. */
  protected abstract onStart (options: AbortOptions): Promise<void>
  /** Releases every resource, including those of a start that failed half-way. Must not throw. */
  protected abstract onStop (): Promise<void>

  async start (options: AbortOptions = {}): Promise<void> {
    if (this.stopping !== undefined) await this.stopping
    if (this.current === 'started') return
    if (this.starting === undefined) {
      this.current = 'starting'
      this.starting = (async () => {
        try {
          await this.onStart(options)
          this.current = 'started'
        } catch (err) {
          this.current = 'stopping'
          await this.onStop()
          this.current = 'stopped'
          throw err
        } finally {
          this.starting = undefined
        }
      })()
    }
    await this.starting
  }

  async stop (): Promise<void> {
    if (this.starting !== undefined) {
      try { await this.starting } catch { return }
    }
    if (this.current === 'stopped') return
    if (this.stopping === undefined) {
      this.current = 'stopping'
      this.stopping = (async () => {
        try {
          await this.onStop()
        } finally {
          this.current = 'stopped'
          this.stopping = undefined
        }
      })()
    }
    await this.stopping
  }
}
