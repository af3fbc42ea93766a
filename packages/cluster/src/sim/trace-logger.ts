import type { LogFields, LogLevel, Logger } from '@clusterfunk/core'

/** Where a `TraceLogger` writes: `@clusterfunk/sim`'s `Trace` fits. */
export interface TraceSink {
  record: (node: string, event: string) => void
}

const ORDER: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error']

/**
 * A `Logger` that writes into a simulation's trace, filed under the node,
 * so a failing seed's trace tail shows what the node logged between the
 * packets. Deterministic: it records text and nothing else.
 */
export class TraceLogger implements Logger {
  constructor (
    private readonly sink: TraceSink,
    private readonly node: string,
    readonly component: string,
    private readonly level: LogLevel = 'info'
  ) {}

  trace (msg: string, fields?: LogFields): void { this.write('trace', msg, fields) }
  debug (msg: string, fields?: LogFields): void { this.write('debug', msg, fields) }
  info (msg: string, fields?: LogFields): void { this.write('info', msg, fields) }
  warn (msg: string, fields?: LogFields): void { this.write('warn', msg, fields) }
  error (msg: string, fields?: LogFields): void { this.write('error', msg, fields) }

  child (component: string): Logger {
    return new TraceLogger(this.sink, this.node, `${this.component}:${component}`, this.level)
  }

  isEnabled (level: LogLevel): boolean {
    return ORDER.indexOf(level) >= ORDER.indexOf(this.level)
  }

  private write (level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (!this.isEnabled(level)) return
    const extra = fields === undefined ? '' : ` ${describe(fields)}`
    this.sink.record(this.node, `log ${level} ${this.component}: ${msg}${extra}`)
  }
}

function describe (fields: LogFields): string {
  try {
    return JSON.stringify(fields).replace(/\n/g, ' ')
  } catch {
    // A BigInt or a cycle: the keys still say something.
    return `{${Object.keys(fields).join(',')}}`
  }
}
