import net from 'node:net'
import tls from 'node:tls'
import { parseHostPort, TimeoutError } from '@clusterfunk/core'
import { RespReader } from './resp-reader.js'
import { encodeCommand } from './resp-writer.js'
import type { RespFrame } from './resp-frame.js'
import { CommandError } from './errors.js'

export interface RespClientInit {
  address: string
  /** Sent with AUTH right after connecting. */
  auth?: string
  /** Dial with TLS, trusting `ca` (the chain is verified; the host name is not, as members share one certificate). */
  tls?: { ca: Buffer, cert?: Buffer, key?: Buffer }
  /** Each call fails after this long. */
  timeoutMs: number
}

interface Pending {
  resolve: (f: RespFrame) => void
  reject: (e: Error) => void
}

/**
 * A pipelined RESP3 client to another member (forwarding to the leader,
 * joining a cluster). One connection, replies matched to calls in order. A
 * broken connection fails every call waiting on it; the next call dials
 * again.
 */
export class RespClient {
  private socket: net.Socket | undefined
  private ready: Promise<void> | undefined
  private reader = new RespReader({ mode: 'client' })
  private readonly pending: Pending[] = []
  private closed = false

  constructor (private readonly init: RespClientInit) {}

  get address (): string {
    return this.init.address
  }

  /** Sends a command; resolves with the reply frame (an error reply is a frame, not a rejection). */
  async call (args: ReadonlyArray<string | Buffer>): Promise<RespFrame> {
    if (this.closed) throw new CommandError('connection closed')
    await this.connect()
    return await this.send(args)
  }

  close (): void {
    this.closed = true
    this.fail(new CommandError('connection closed'))
  }

  private async send (args: ReadonlyArray<string | Buffer>): Promise<RespFrame> {
    const socket = this.socket
    if (socket === undefined) throw new CommandError('not connected')
    return await new Promise<RespFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new TimeoutError(`no reply from ${this.init.address} within ${this.init.timeoutMs} ms`))
        this.fail(new TimeoutError('connection reset after a timeout'))
      }, this.init.timeoutMs)
      timer.unref()
      this.pending.push({
        resolve: (f) => { clearTimeout(timer); resolve(f) },
        reject: (e) => { clearTimeout(timer); reject(e) }
      })
      socket.write(encodeCommand(args))
    })
  }

  private async connect (): Promise<void> {
    if (this.ready !== undefined) return await this.ready
    const target = parseHostPort(this.init.address)
    if (target === undefined) throw new CommandError(`bad address '${this.init.address}'`)
    this.reader = new RespReader({ mode: 'client' })
    const ready = new Promise<void>((resolve, reject) => {
      const opts = this.init.tls
      const socket = opts === undefined
        ? net.connect({ host: target.host, port: target.port })
        : tls.connect({ host: target.host, port: target.port, ca: opts.ca, ...(opts.cert === undefined ? {} : { cert: opts.cert, key: opts.key }), servername: 'machine.invalid', checkServerIdentity: () => undefined })
      socket.setNoDelay(true)
      this.socket = socket
      const onConnect = (): void => {
        socket.off('error', onEarlyError)
        socket.on('error', () => {})
        resolve()
      }
      const onEarlyError = (err: Error): void => { reject(err) }
      socket.once(opts === undefined ? 'connect' : 'secureConnect', onConnect)
      socket.once('error', onEarlyError)
      socket.on('data', (chunk: Buffer) => {
        const r = this.reader.push(chunk)
        for (const f of r.frames) this.pending.shift()?.resolve(f)
        if (r.error !== undefined) this.fail(r.error)
      })
      socket.on('close', () => { this.fail(new CommandError(`connection to ${this.init.address} closed`)) })
    })
    this.ready = ready
    try {
      await ready
      const hello = this.init.auth === undefined ? ['HELLO', '3'] : ['HELLO', '3', 'AUTH', 'default', this.init.auth]
      const reply = await this.send(hello)
      if (reply.type === 'error') throw new CommandError(reply.value.replace(/^\S+ /, ''), reply.value.split(' ')[0])
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }

  private fail (err: Error): void {
    const socket = this.socket
    this.socket = undefined
    this.ready = undefined
    socket?.destroy()
    for (const p of this.pending.splice(0)) p.reject(err)
  }
}
