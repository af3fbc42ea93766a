import type net from 'node:net'
import { DEFAULT_MAX_OUTPUT_BYTES } from './constants.js'
import { runBuiltin } from './builtins.js'
import type { ConnState } from './conn-state.js'
import { NoAuthError } from './errors.js'
import type { AnyMachineNode } from './machine-node.js'
import { formatMonitorLine } from './monitor.js'
import { errorText } from './reply.js'
import type { RespFrame, RespProtocol } from './resp-frame.js'
import type { RespLimits } from './resp-limits.js'
import { RespReader } from './resp-reader.js'
import { RespWriter, frameForProtocol } from './resp-writer.js'

/** Replies waiting (pipelined) before the connection stops reading. */
const MAX_QUEUED_REPLIES = 10_000
/** Commands that run before AUTH. */
const AUTH_FREE = new Set(['auth', 'hello', 'quit', 'ping'])

interface Slot {
  frame: RespFrame | undefined
  protocol: RespProtocol
}

let nextConnId = 1

/**
 * One RESP client connection. Commands are taken in order; replies go out
 * in the same order. A write starts at once (its place in the log keeps the
 * order), any other command waits until the commands before it on this
 * connection have finished, so a read sees the connection's own earlier
 * writes. A protocol error is answered and the connection closed.
 */
export class RespConnection {
  private readonly reader: RespReader
  private readonly slots: Slot[] = []
  /** Settles when every command taken so far has its reply. */
  private chain: Promise<unknown> = Promise.resolve()
  /** Settles when the last non-write command taken so far has its reply (writes wait for it). */
  private nonWriteTail: Promise<unknown> = Promise.resolve()
  private nonWritePending = 0
  private readonly state: ConnState
  private closing = false
  private paused = false
  private flushQueued = false
  private unobserve: (() => void) | undefined

  constructor (private readonly node: AnyMachineNode, private readonly socket: net.Socket, limits: Partial<RespLimits>) {
    this.reader = new RespReader({ ...limits, mode: 'server' })
    this.state = {
      id: nextConnId++,
      remoteAddress: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`,
      protocol: 2,
      authed: !node.needsAuth,
      context: undefined,
      name: undefined,
      monitor: false,
      quit: false
    }
  }

  open (): void {
    const def = this.node.def
    let decision
    try {
      decision = def.connOpened?.(this.state.remoteAddress)
    } catch {
      decision = { accept: false }
    }
    if (decision?.accept === false) {
      this.socket.destroy()
      return
    }
    this.state.context = decision?.context
    this.node.metrics.connectionOpened()
    this.socket.on('data', (chunk: Buffer) => { this.onData(chunk) })
    // The client finished sending (echo PING | nc): answer what it sent, then close.
    this.socket.on('end', () => {
      this.state.quit = true
      this.flush()
    })
    this.socket.on('close', () => {
      this.closing = true
      this.unobserve?.()
      this.node.metrics.connectionClosed()
      try { def.connClosed?.(this.state.context, this.state.remoteAddress) } catch { /* a hook's failure does not stop the node */ }
    })
  }

  private onData (chunk: Buffer): void {
    // After QUIT or a protocol error nothing more is read; the replies owed are written, then the connection ends.
    if (this.closing || this.state.quit) return
    const r = this.reader.push(chunk)
    for (const frame of r.frames) {
      if (this.closing || this.state.quit) break
      this.dispatch(frame)
    }
    if (r.error !== undefined && !this.state.quit) {
      this.node.metrics.protocolError()
      this.slots.push({ frame: { type: 'error', value: `ERR Protocol error: ${r.error.message}` }, protocol: this.state.protocol })
      this.state.quit = true
      this.flush()
    }
    if (this.slots.length > MAX_QUEUED_REPLIES && !this.paused) {
      this.paused = true
      this.socket.pause()
    }
  }

  private dispatch (frame: RespFrame): void {
    const args = argsOf(frame)
    if (args === undefined) {
      // As Redis: a command that is not an array of strings ends the connection.
      this.node.metrics.protocolError()
      this.reply(Promise.resolve({ type: 'error', value: 'ERR Protocol error: expected an array of bulk strings' }))
      this.state.quit = true
      return
    }
    if (args.length === 0) return
    if (this.state.monitor) {
      // A MONITOR connection only takes QUIT / RESET / PING (Redis's rule).
      const n = args[0]?.toString().toLowerCase()
      if (n === 'quit' || n === 'reset') { this.state.quit = true; this.socket.end(); return }
      return
    }
    const strings = args.map(a => a.toString())
    const name = (strings[0] as string).toLowerCase()
    const started = this.node.clock.now()
    if (this.node.monitor.active) {
      this.node.monitor.send({ timeSec: this.node.clock.wallNow() / 1000, remoteAddress: this.state.remoteAddress, args: name === 'auth' || name === 'hello' ? [strings[0] as string, '(redacted)'] : strings })
    }
    let result: RespFrame | Promise<RespFrame>
    if (!this.state.authed && !AUTH_FREE.has(name)) {
      result = { type: 'error', value: errorText(new NoAuthError()) }
    } else {
      const builtin = runBuiltin(this.node, this.state, strings)
      if (builtin !== undefined) result = builtin
      else if (this.node.def.write.has(name)) {
        // Consecutive writes go into the log at once, in order; after a read they wait for it, so it does not see them.
        result = this.nonWritePending === 0 ? this.node.write(args) : this.nonWriteTail.then(async () => await this.node.write(args))
      } else {
        const run = this.node.def.read.has(name)
          ? async () => await this.node.read(args)
          : async () => await this.node.intermediate(this.state, args)
        this.nonWritePending++
        result = this.chain.then(run).finally(() => { this.nonWritePending-- })
        this.nonWriteTail = result.catch(() => {})
      }
    }
    const done = Promise.resolve(result).then((f) => {
      this.node.metrics.record(name, f.type !== 'error', this.node.clock.now() - started)
      return f
    })
    this.reply(done)
    if (this.state.monitor) this.startMonitor()
  }

  private reply (result: Promise<RespFrame>): void {
    const slot: Slot = { frame: undefined, protocol: this.state.protocol }
    this.slots.push(slot)
    this.chain = result.then((f) => {
      slot.frame = f
      this.scheduleFlush()
    }, (err: unknown) => {
      slot.frame = { type: 'error', value: errorText(err) }
      this.scheduleFlush()
    })
  }

  /**
   * Flushes once the replies settling now have their frames: the writes a
   * Ready answers (a pipelined batch applied at once) settle in one run of
   * microtasks, and go out in one socket write instead of one each.
   */
  private scheduleFlush (): void {
    if (this.flushQueued) return
    this.flushQueued = true
    queueMicrotask(() => {
      this.flushQueued = false
      this.flush()
    })
  }

  private flush (): void {
    if (this.socket.destroyed) return
    const w = new RespWriter()
    while (this.slots.length > 0 && (this.slots[0] as Slot).frame !== undefined) {
      const slot = this.slots.shift() as Slot
      w.write(frameForProtocol(slot.frame as RespFrame, slot.protocol))
    }
    if (w.length > 0) this.socket.write(w.take())
    if (this.socket.writableLength > DEFAULT_MAX_OUTPUT_BYTES) {
      this.socket.destroy()
      return
    }
    if (this.state.quit && this.slots.length === 0) this.socket.end()
    if (this.paused && this.slots.length < MAX_QUEUED_REPLIES / 10) {
      this.paused = false
      this.socket.resume()
    }
  }

  private startMonitor (): void {
    if (this.unobserve !== undefined) return
    this.unobserve = this.node.monitor.observe((m) => {
      if (this.socket.destroyed || this.slots.length > 0) return
      if (this.socket.writableLength > DEFAULT_MAX_OUTPUT_BYTES / 64) {
        this.socket.destroy()
        return
      }
      this.socket.write(`+${formatMonitorLine(m)}\r\n`)
    })
  }
}

/** The arguments of a command frame: an array of bulk strings (simple strings and integers are taken as text). */
function argsOf (frame: RespFrame): Buffer[] | undefined {
  if (frame.type !== 'array' || frame.value === null) return frame.type === 'array' ? [] : undefined
  const out: Buffer[] = []
  for (const f of frame.value) {
    if (f.type === 'bulk' && f.value !== null) out.push(f.value)
    else if (f.type === 'simple') out.push(Buffer.from(f.value))
    else if (f.type === 'integer') out.push(Buffer.from(String(f.value)))
    else return undefined
  }
  return out
}
