import { pino, type Logger as PinoLogger } from 'pino'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

/**
 * The logging interface every package takes as a component. A logger is
 * bound to a component name (`'swim'`, `'raft:transport'`) that appears on
 * every line, so one process's output can be read per subsystem.
 */
export interface Logger {
  readonly component: string
  trace: (msg: string, fields?: LogFields) => void
  debug: (msg: string, fields?: LogFields) => void
  info: (msg: string, fields?: LogFields) => void
  warn: (msg: string, fields?: LogFields) => void
  error: (msg: string, fields?: LogFields) => void
  /** A logger for a sub-component: `swim` → `swim:transport`. */
  child: (component: string) => Logger
  /** True when a line at `level` would be written (skip building costly fields otherwise). */
  isEnabled: (level: LogLevel) => boolean
}

export interface LoggerInit {
  /** Lowest level written. Default: `CLUSTERFUNK_LOG` from the environment, else `'warn'`. */
  level?: LogLevel | 'silent'
  /**
   * Components logged at `debug` whatever `level` says, like GRPC_TRACE: a
   * comma-separated list of component prefixes, or `'all'`. Default:
   * `CLUSTERFUNK_TRACE` from the environment.
   */
  trace?: string
  /** Where lines go: a file descriptor. Default 2 (stderr). */
  fd?: number
}

const LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'silent']

function levelFromEnv (): LogLevel | 'silent' {
  const env = process.env.CLUSTERFUNK_LOG
  return env !== undefined && LEVELS.includes(env) ? env as LogLevel : 'warn'
}

function traced (component: string, trace: string): boolean {
  if (trace === '') return false
  return trace.split(',').map(s => s.trim()).some(p => p === 'all' || component === p || component.startsWith(`${p}:`))
}

class PinoAdapter implements Logger {
  readonly component: string
  private readonly pino: PinoLogger
  private readonly root: PinoLogger
  private readonly traceList: string

  constructor (root: PinoLogger, component: string, baseLevel: string, traceList: string) {
    this.root = root
    this.component = component
    this.traceList = traceList
    const level = traced(component, traceList) && LEVELS.indexOf(baseLevel) > LEVELS.indexOf('debug') ? 'debug' : baseLevel
    this.pino = root.child({ component }, { level })
  }

  trace (msg: string, fields?: LogFields): void { this.pino.trace(fields ?? {}, msg) }
  debug (msg: string, fields?: LogFields): void { this.pino.debug(fields ?? {}, msg) }
  info (msg: string, fields?: LogFields): void { this.pino.info(fields ?? {}, msg) }
  warn (msg: string, fields?: LogFields): void { this.pino.warn(fields ?? {}, msg) }
  error (msg: string, fields?: LogFields): void { this.pino.error(fields ?? {}, msg) }

  child (component: string): Logger {
    return new PinoAdapter(this.root, `${this.component}:${component}`, this.root.level, this.traceList)
  }

  isEnabled (level: LogLevel): boolean {
    return this.pino.isLevelEnabled(level)
  }
}

/**
 * The default logger: pino, JSON lines to stderr, synchronous so the last
 * lines before a crash are not lost.
 */
export function createLogger (component: string, init: LoggerInit = {}): Logger {
  const level = init.level ?? levelFromEnv()
  const root = pino({ level, base: undefined }, pino.destination({ fd: init.fd ?? 2, sync: true }))
  return new PinoAdapter(root, component, level, init.trace ?? process.env.CLUSTERFUNK_TRACE ?? '')
}

class SilentLogger implements Logger {
  constructor (readonly component: string) {}
  trace (): void {}
  debug (): void {}
  info (): void {}
  warn (): void {}
  error (): void {}
  child (component: string): Logger { return new SilentLogger(`${this.component}:${component}`) }
  isEnabled (): boolean { return false }
}

/** A logger that writes nothing, for tests and for callers that want silence. */
export function silentLogger (component = 'silent'): Logger {
  return new SilentLogger(component)
}
