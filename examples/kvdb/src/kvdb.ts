import { CommandError, OK, SyntaxError, WrongArgsError, defineMachine, globToRegExp, type ReadMachine, type WriteMachine } from '@clusterfunk/machine'

/** One value (its bytes exactly as SET sent them) and, for an expiring key, the machine time (ms) it expires at. */
export interface Item {
  value: Buffer
  expiresAtMs?: number
}

/** An item as a snapshot keeps it: the value in base64. */
interface StoredItem {
  value: string
  expiresAtMs?: number
}

/** The database: keys to items. A Map, so it snapshots with its own (JSON of entries) snapshot and restore. */
export type Db = Map<string, Item>

type M = WriteMachine<Db> | ReadMachine<Db>

/** The live item of `key` at the machine's time, or undefined (missing or expired). */
function live (m: M, key: string): Item | undefined {
  const item = m.data.get(key)
  if (item === undefined) return undefined
  return item.expiresAtMs !== undefined && item.expiresAtMs <= m.now() ? undefined : item
}

/** SET key value [EX seconds | PX milliseconds] */
function set (m: WriteMachine<Db>, args: string[], bytes: readonly Buffer[]): unknown {
  if (args.length !== 3 && args.length !== 5) throw new WrongArgsError('set')
  const [, key, , unit, amount] = args as [string, string, string, string?, string?]
  const value = bytes[2] as Buffer
  let expiresAtMs: number | undefined
  if (unit !== undefined) {
    const n = Number(amount)
    if (!Number.isSafeInteger(n) || n <= 0) throw new CommandError('invalid expire time in \'set\' command')
    const u = unit.toLowerCase()
    if (u !== 'ex' && u !== 'px') throw new SyntaxError()
    expiresAtMs = m.now() + (u === 'ex' ? n * 1000 : n)
  }
  m.data.set(key, expiresAtMs === undefined ? { value } : { value, expiresAtMs })
  return OK
}

/**
 * A key/value database in the style of uhaha's kvdb example. Expiry is
 * driven by `now()`, the leader's time in the log: an expired key reads as
 * missing at once, and the `tick` (a write every 200 ms on the leader)
 * removes it, on every replica at the same index.
 */
export const kvdb = defineMachine<Db>({
  name: 'kvdb',
  version: '0.1.0',
  initialData: () => new Map(),
  write: {
    SET: set,
    DEL: (m, args) => {
      if (args.length < 2) throw new WrongArgsError('del')
      let n = 0
      for (const k of args.slice(1)) if (live(m, k) !== undefined && m.data.delete(k)) n++
      return n
    },
    MSET: (m, args, bytes) => {
      if (args.length < 3 || args.length % 2 === 0) throw new WrongArgsError('mset')
      for (let i = 1; i < args.length; i += 2) m.data.set(args[i] as string, { value: bytes[i + 1] as Buffer })
      return OK
    },
    INCR: (m, args) => {
      if (args.length !== 2) throw new WrongArgsError('incr')
      const key = args[1] as string
      const item = live(m, key)
      const text = item?.value.toString('latin1') ?? '0'
      const n = Number(text)
      if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n + 1)) throw new CommandError('value is not an integer or out of range')
      const value = Buffer.from(String(n + 1))
      m.data.set(key, item?.expiresAtMs === undefined ? { value } : { value, expiresAtMs: item.expiresAtMs })
      return n + 1
    }
  },
  read: {
    GET: (m, args) => {
      if (args.length !== 2) throw new WrongArgsError('get')
      return live(m, args[1] as string)?.value ?? null
    },
    MGET: (m, args) => {
      if (args.length < 2) throw new WrongArgsError('mget')
      return args.slice(1).map(k => live(m, k)?.value ?? null)
    },
    KEYS: (m, args) => {
      if (args.length !== 2) throw new WrongArgsError('keys')
      const re = globToRegExp(args[1] as string)
      return [...m.data.keys()].filter(k => re.test(k) && live(m, k) !== undefined).sort()
    },
    PTTL: (m, args) => {
      if (args.length !== 2) throw new WrongArgsError('pttl')
      const item = live(m, args[1] as string)
      return item === undefined ? -2 : item.expiresAtMs === undefined ? -1 : item.expiresAtMs - m.now()
    },
    DBSIZE: (m) => m.data.size
  },
  tick: (m) => {
    const now = m.now()
    for (const [k, item] of m.data) if (item.expiresAtMs !== undefined && item.expiresAtMs <= now) m.data.delete(k)
  },
  snapshot: (data) => Buffer.from(JSON.stringify([...data].map(([k, item]): [string, StoredItem] => [k, { ...item, value: item.value.toString('base64') }]))),
  restore: (bytes) => new Map((JSON.parse(Buffer.from(bytes).toString()) as Array<[string, StoredItem]>).map(([k, item]): [string, Item] => [k, { ...item, value: Buffer.from(item.value, 'base64') }]))
})
