import type { RespFrame, RespProtocol } from './resp-frame.js'

/**
 * Encodes frames byte for byte (`RespReader` reads them back unchanged).
 * Small parts are gathered as text and joined with the bulk bytes in one
 * `Buffer.concat`, so a pipelined batch of replies costs one write.
 */
export class RespWriter {
  private parts: Buffer[] = []
  private text = ''
  private size = 0

  /** Bytes gathered and not yet taken. */
  get length (): number {
    return this.size + Buffer.byteLength(this.text)
  }

  write (frame: RespFrame): this {
    switch (frame.type) {
      case 'simple': this.str(`+${oneLine(frame.value)}\r\n`); break
      case 'error': this.str(`-${oneLine(frame.value)}\r\n`); break
      case 'integer': this.str(`:${frame.value}\r\n`); break
      case 'bulk':
        if (frame.value === null) this.str('$-1\r\n')
        else this.blob('$', frame.value)
        break
      case 'bulkError': this.blob('!', frame.value); break
      case 'verbatim': this.blob('=', Buffer.concat([Buffer.from(`${frame.format.padEnd(3, ' ').slice(0, 3)}:`, 'latin1'), frame.value])); break
      case 'null': this.str('_\r\n'); break
      case 'boolean': this.str(frame.value ? '#t\r\n' : '#f\r\n'); break
      case 'double': this.str(`,${formatDouble(frame.value)}\r\n`); break
      case 'bignum': this.str(`(${frame.value.toString()}\r\n`); break
      case 'array':
        if (frame.value === null) { this.str('*-1\r\n'); break }
        this.str(`*${frame.value.length}\r\n`)
        for (const f of frame.value) this.write(f)
        break
      case 'set': case 'push':
        this.str(`${frame.type === 'set' ? '~' : '>'}${frame.value.length}\r\n`)
        for (const f of frame.value) this.write(f)
        break
      case 'map':
        this.str(`%${frame.value.length}\r\n`)
        for (const [k, v] of frame.value) { this.write(k); this.write(v) }
        break
    }
    return this
  }

  /** Takes every byte gathered so far. */
  take (): Buffer {
    this.flushText()
    const out = this.parts.length === 1 ? this.parts[0] as Buffer : Buffer.concat(this.parts, this.size)
    this.parts = []
    this.size = 0
    return out
  }

  private str (s: string): void {
    this.text += s
    if (this.text.length > 4096) this.flushText()
  }

  private blob (marker: string, value: Buffer): void {
    this.str(`${marker}${value.length}\r\n`)
    if (value.length < 256 && isAscii(value)) {
      this.text += value.toString('latin1')
    } else {
      this.flushText()
      this.parts.push(value)
      this.size += value.length
    }
    this.str('\r\n')
  }

  private flushText (): void {
    if (this.text === '') return
    const b = Buffer.from(this.text, 'utf8')
    this.parts.push(b)
    this.size += b.length
    this.text = ''
  }
}

function isAscii (b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if ((b[i] as number) > 127) return false
  return true
}

/** Simple strings and errors cannot hold CR or LF. */
function oneLine (s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/[\r\n]+/g, ' ') : s
}

export function formatDouble (n: number): string {
  if (Number.isNaN(n)) return 'nan'
  if (n === Infinity) return 'inf'
  if (n === -Infinity) return '-inf'
  if (Object.is(n, -0)) return '-0'
  return String(n)
}

/** One frame's bytes. */
export function encodeFrame (frame: RespFrame): Buffer {
  return new RespWriter().write(frame).take()
}

/** A command as a client sends it: an array of bulk strings. */
export function encodeCommand (args: ReadonlyArray<string | Buffer>): Buffer {
  return encodeFrame({ type: 'array', value: args.map(a => ({ type: 'bulk', value: typeof a === 'string' ? Buffer.from(a) : a })) })
}

/**
 * A frame as a RESP2 client can read it (Redis's own downgrade): null → null
 * bulk, double and big number → bulk string, boolean → 0/1, map → flat
 * array, set and push → array, verbatim → bulk, bulk error → error.
 */
export function frameForProtocol (frame: RespFrame, protocol: RespProtocol): RespFrame {
  if (protocol === 3) return frame
  switch (frame.type) {
    case 'null': return { type: 'bulk', value: null }
    case 'double': return { type: 'bulk', value: Buffer.from(formatDouble(frame.value)) }
    case 'bignum': return { type: 'bulk', value: Buffer.from(frame.value.toString()) }
    case 'boolean': return { type: 'integer', value: frame.value ? 1 : 0 }
    case 'verbatim': return { type: 'bulk', value: frame.value }
    case 'bulkError': return { type: 'error', value: frame.value.toString('utf8') }
    case 'map': return { type: 'array', value: frame.value.flatMap(([k, v]) => [frameForProtocol(k, 2), frameForProtocol(v, 2)]) }
    case 'set': case 'push': return { type: 'array', value: frame.value.map(f => frameForProtocol(f, 2)) }
    case 'array': return frame.value === null ? frame : { type: 'array', value: frame.value.map(f => frameForProtocol(f, 2)) }
    default: return frame
  }
}
