import { RespProtocolError } from './errors.js'
import { splitInlineArgs } from './inline-args.js'
import { DEFAULT_RESP_LIMITS, type RespLimits } from './resp-limits.js'
import type { RespFrame } from './resp-frame.js'

/** Returned by a parse step that ran out of bytes. */
const INCOMPLETE = Symbol('incomplete')
type Parsed = RespFrame | typeof INCOMPLETE

/** Longest length or number line (`$<len>\r\n`, `:<int>\r\n` are far shorter). */
const MAX_NUMBER_LINE = 64
const CR = 13
const LF = 10

export interface RespReaderInit extends Partial<RespLimits> {
  /**
   * `'server'`: a frame is a command, `*` starts an array and any other
   * first byte starts an inline command (telnet, nc), as in Redis.
   * `'client'`: a frame is any RESP2/RESP3 reply. Default `'server'`.
   */
  mode?: 'server' | 'client'
}

/** What one `push` yields: the whole frames, in order, and the error that ended the stream (no frame follows it). */
export interface RespReadResult {
  frames: RespFrame[]
  error?: RespProtocolError
}

interface PartialAggregate {
  type: 'array' | 'set' | 'push' | 'map'
  /** Elements expected (a map: keys and values). */
  total: number
  items: RespFrame[]
  /** Bytes the items took on the wire: they count towards `maxPendingBytes`. */
  bytes: number
}

/**
 * An incremental RESP parser for the server side (and for replies read back
 * from another node). Feed it bytes as they arrive with `push`; it returns
 * every frame completed so far. Pipelined commands come out in order; any
 * split of the byte stream yields the same frames.
 *
 * Bounds: every length is checked against `RespLimits` before a byte is
 * allocated for it, and the bytes of an unfinished frame are capped by
 * `maxPendingBytes`, so a connection costs bounded memory whatever it sends.
 * A bad frame makes `push` return an error; the reader is then finished
 * (`failed`), as the stream cannot be resynchronised.
 *
 * The outermost aggregate is parsed resumably: its elements are kept as
 * they complete, so a long command arriving in many packets is parsed once
 * (nested aggregates are re-parsed from their start, they are small).
 */
export class RespReader {
  private readonly limits: RespLimits
  private readonly mode: 'server' | 'client'
  private chunks: Buffer[] = []
  private buffered = 0
  /** Do not try again until this many bytes are buffered (a bulk whose length is known). */
  private need = 0
  private partial: PartialAggregate | undefined
  private error: RespProtocolError | undefined
  // The buffer being parsed and the position in it.
  private b: Buffer = Buffer.alloc(0)
  private p = 0

  constructor (init: RespReaderInit = {}) {
    this.mode = init.mode ?? 'server'
    this.limits = { ...DEFAULT_RESP_LIMITS }
    for (const [k, v] of Object.entries(init)) {
      if (k !== 'mode' && v !== undefined) (this.limits as unknown as Record<string, number>)[k] = v as number
    }
  }

  /** True once a protocol error ended the stream. */
  get failed (): boolean {
    return this.error !== undefined
  }

  /** Bytes held for frames not yet complete (buffered bytes and the parsed part of an unfinished command). */
  get pendingBytes (): number {
    return this.buffered + (this.partial?.bytes ?? 0)
  }

  push (chunk: Uint8Array): RespReadResult {
    if (this.error !== undefined) return { frames: [], error: this.error }
    if (chunk.byteLength > 0) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
      this.buffered += chunk.byteLength
    }
    const frames: RespFrame[] = []
    if (this.buffered < this.need) return this.checkPending(frames)
    this.b = this.chunks.length === 1 ? this.chunks[0] as Buffer : Buffer.concat(this.chunks, this.buffered)
    this.p = 0
    this.need = 0
    try {
      while (this.p < this.b.length) {
        const start = this.p
        this.needEnd = 0
        const frame = this.partial !== undefined ? this.resumeAggregate() : this.parseTop()
        if (frame === INCOMPLETE) {
          // Resume at the unfinished element of the outermost aggregate, or at the frame's start.
          this.p = this.partial !== undefined ? this.itemStart : start
          this.need = this.needEnd > this.p ? this.needEnd - this.p : 0
          break
        }
        if (frame !== undefined) frames.push(frame)
      }
    } catch (err) {
      this.error = err instanceof RespProtocolError ? err : new RespProtocolError(String(err))
      this.release()
      return { frames, error: this.error }
    }
    const rest = this.b.subarray(this.p)
    this.chunks = rest.length === 0 ? [] : [rest]
    this.buffered = rest.length
    this.b = Buffer.alloc(0)
    return this.checkPending(frames)
  }

  private checkPending (frames: RespFrame[]): RespReadResult {
    if (this.pendingBytes > this.limits.maxPendingBytes) {
      this.error = new RespProtocolError(`a frame exceeds ${this.limits.maxPendingBytes} bytes`)
      this.release()
      return { frames, error: this.error }
    }
    return { frames }
  }

  private release (): void {
    this.chunks = []
    this.buffered = 0
    this.partial = undefined
    this.b = Buffer.alloc(0)
  }

  /** One top-level frame; undefined for an empty inline line (skipped, as Redis does). */
  private parseTop (): Parsed | undefined {
    const marker = this.b[this.p] as number
    if (this.mode === 'server' && marker !== 42 /* * */) return this.parseInline()
    if (marker === 42 || marker === 126 || marker === 62 || marker === 37) {
      // The outermost aggregate: parse its header, then its elements resumably.
      const header = this.aggregateHeader(marker)
      if (header === INCOMPLETE) return INCOMPLETE
      if (typeof header !== 'number') return header
      this.partial = { type: marker === 42 ? 'array' : marker === 126 ? 'set' : marker === 62 ? 'push' : 'map', total: header, items: [], bytes: 0 }
      return this.resumeAggregate()
    }
    return this.parseValue(1)
  }

  private resumeAggregate (): Parsed {
    const partial = this.partial as PartialAggregate
    while (partial.items.length < partial.total) {
      this.itemStart = this.p
      if (this.p >= this.b.length) return this.incompleteAt(this.p + 1)
      const start = this.p
      const item = this.parseValue(2)
      if (item === INCOMPLETE) return INCOMPLETE
      partial.items.push(item)
      partial.bytes += this.p - start
      // Bytes of completed elements leave the buffer; the unfinished rest is re-read on the next push.
      if (partial.bytes > this.limits.maxPendingBytes) throw new RespProtocolError(`a frame exceeds ${this.limits.maxPendingBytes} bytes`)
    }
    this.partial = undefined
    return aggregate(partial.type, partial.items)
  }

  /** Records the buffer length (in the current buffer) needed before parsing again is worth it. */
  private incompleteAt (end: number): typeof INCOMPLETE {
    this.needEnd = Math.max(this.needEnd, end)
    return INCOMPLETE
  }

  /** Absolute end (in the current buffer) the unfinished frame needs at least. */
  private needEnd = 0
  /** Start of the element of the outermost aggregate being parsed. */
  private itemStart = 0

  private parseInline (): Parsed | undefined {
    const nl = this.b.indexOf(LF, this.p)
    if (nl < 0) {
      if (this.b.length - this.p > this.limits.maxInlineBytes) throw new RespProtocolError('too big inline request')
      return INCOMPLETE
    }
    if (nl - this.p > this.limits.maxInlineBytes) throw new RespProtocolError('too big inline request')
    const end = nl > this.p && this.b[nl - 1] === CR ? nl - 1 : nl
    const line = this.b.subarray(this.p, end)
    this.p = nl + 1
    const args = splitInlineArgs(line)
    if (args.length === 0) return undefined
    if (args.length > this.limits.maxArrayElements) throw new RespProtocolError('too many arguments in inline request')
    return { type: 'array', value: args.map(value => ({ type: 'bulk', value })) }
  }

  /** Reads a line from the current position; INCOMPLETE when its CRLF has not arrived. */
  private line (max: number): string | typeof INCOMPLETE {
    const limit = Math.min(this.b.length, this.p + max + 2)
    for (let i = this.p; i < limit; i++) {
      if (this.b[i] === CR) {
        if (i + 1 >= this.b.length) return INCOMPLETE
        if (this.b[i + 1] !== LF) throw new RespProtocolError('expected CRLF')
        const s = this.b.toString('latin1', this.p, i)
        this.p = i + 2
        return s
      }
      if (this.b[i] === LF) throw new RespProtocolError('expected CRLF')
    }
    if (limit - this.p >= max + 2) throw new RespProtocolError('line too long')
    return INCOMPLETE
  }

  private integerLine (): number | typeof INCOMPLETE {
    const s = this.line(MAX_NUMBER_LINE)
    if (s === INCOMPLETE) return INCOMPLETE
    if (!/^[-+]?\d+$/.test(s)) throw new RespProtocolError(`invalid integer '${s.slice(0, 32)}'`)
    const n = Number(s)
    if (!Number.isSafeInteger(n)) throw new RespProtocolError('integer out of range')
    return n
  }

  /** `*n` / `~n` / `>n` / `%n` after the marker: the element count (a map's doubled), or a null array frame. */
  private aggregateHeader (marker: number): number | RespFrame | typeof INCOMPLETE {
    this.p++
    const n = this.integerLine()
    if (n === INCOMPLETE) return INCOMPLETE
    if (n === -1 && marker === 42) return { type: 'array', value: null }
    if (n < 0) throw new RespProtocolError('invalid multibulk length')
    const total = marker === 37 ? n * 2 : n
    if (total > this.limits.maxArrayElements) throw new RespProtocolError('invalid multibulk length')
    return total
  }

  private parseValue (depth: number): Parsed {
    if (depth > this.limits.maxNesting) throw new RespProtocolError('too deeply nested')
    if (this.p >= this.b.length) return INCOMPLETE
    const marker = this.b[this.p] as number
    switch (marker) {
      case 36: /* $ */ return this.blob('bulk')
      case 33: /* ! */ return this.blob('bulkError')
      case 61: /* = */ return this.blob('verbatim')
      case 43: /* + */ return this.simpleLine('simple')
      case 45: /* - */ return this.simpleLine('error')
      case 58: /* : */ {
        this.p++
        const n = this.integerLine()
        return n === INCOMPLETE ? INCOMPLETE : { type: 'integer', value: n }
      }
      case 95: /* _ */ {
        this.p++
        const s = this.line(0)
        return s === INCOMPLETE ? INCOMPLETE : { type: 'null' }
      }
      case 35: /* # */ {
        this.p++
        const s = this.line(1)
        if (s === INCOMPLETE) return INCOMPLETE
        if (s !== 't' && s !== 'f') throw new RespProtocolError('invalid boolean')
        return { type: 'boolean', value: s === 't' }
      }
      case 44: /* , */ {
        this.p++
        const s = this.line(MAX_NUMBER_LINE)
        if (s === INCOMPLETE) return INCOMPLETE
        return { type: 'double', value: parseDouble(s) }
      }
      case 40: /* ( */ {
        this.p++
        const s = this.line(this.limits.maxInlineBytes)
        if (s === INCOMPLETE) return INCOMPLETE
        if (!/^-?\d+$/.test(s)) throw new RespProtocolError('invalid big number')
        return { type: 'bignum', value: BigInt(s) }
      }
      case 42: case 126: case 62: case 37: return this.nestedAggregate(marker, depth)
      default: throw new RespProtocolError(`unexpected '${String.fromCharCode(marker)}'`)
    }
  }

  private simpleLine (type: 'simple' | 'error'): Parsed {
    this.p++
    const s = this.line(this.limits.maxInlineBytes)
    if (s === INCOMPLETE) return INCOMPLETE
    return { type, value: Buffer.from(s, 'latin1').toString('utf8') }
  }

  private blob (type: 'bulk' | 'bulkError' | 'verbatim'): Parsed {
    this.p++
    const n = this.integerLine()
    if (n === INCOMPLETE) return INCOMPLETE
    if (n === -1 && type === 'bulk') return { type: 'bulk', value: null }
    if (n < 0 || n > this.limits.maxBulkBytes) throw new RespProtocolError('invalid bulk length')
    const end = this.p + n
    if (end + 2 > this.b.length) return this.incompleteAt(end + 2)
    if (this.b[end] !== CR || this.b[end + 1] !== LF) throw new RespProtocolError('bulk string not followed by CRLF')
    // A copy, so a kept argument does not pin the whole receive buffer.
    const value = Buffer.from(this.b.subarray(this.p, end))
    this.p = end + 2
    if (type === 'verbatim') {
      if (n < 4 || value[3] !== 58 /* : */) throw new RespProtocolError('invalid verbatim string')
      return { type: 'verbatim', format: value.toString('latin1', 0, 3), value: value.subarray(4) }
    }
    return type === 'bulk' ? { type: 'bulk', value } : { type: 'bulkError', value }
  }

  private nestedAggregate (marker: number, depth: number): Parsed {
    const total = this.aggregateHeader(marker)
    if (typeof total !== 'number') return total
    const items: RespFrame[] = []
    for (let i = 0; i < total; i++) {
      const item = this.parseValue(depth + 1)
      if (item === INCOMPLETE) return INCOMPLETE
      items.push(item)
    }
    return aggregate(marker === 42 ? 'array' : marker === 126 ? 'set' : marker === 62 ? 'push' : 'map', items)
  }
}

function aggregate (type: PartialAggregate['type'], items: RespFrame[]): RespFrame {
  if (type !== 'map') return { type, value: items }
  const pairs: Array<[RespFrame, RespFrame]> = []
  for (let i = 0; i < items.length; i += 2) pairs.push([items[i] as RespFrame, items[i + 1] as RespFrame])
  return { type: 'map', value: pairs }
}

function parseDouble (s: string): number {
  if (s === 'inf' || s === '+inf') return Infinity
  if (s === '-inf') return -Infinity
  if (s === 'nan' || s === '-nan') return NaN
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new RespProtocolError('invalid double')
  return Number(s)
}
