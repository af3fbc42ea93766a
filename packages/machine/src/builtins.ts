import { SyntaxError, WrongArgsError, WrongPassError } from './errors.js'
import type { ConnState } from './conn-state.js'
import { globToRegExp } from './glob.js'
import type { AnyMachineNode } from './machine-node.js'
import { OK, SimpleString, errorText, toFrame } from './reply.js'
import type { RespFrame } from './resp-frame.js'
import { raftCommand } from './raft-commands.js'

type Builtin = (node: AnyMachineNode, conn: ConnState, args: string[]) => RespFrame | Promise<RespFrame>

const frame = (v: unknown): RespFrame => toFrame(v, 3)
const err = (e: unknown): RespFrame => ({ type: 'error', value: errorText(e) })

/** The Redis version clients are told (they pick features by it; the commands here are a small subset). */
const REDIS_COMPAT_VERSION = '7.0.0'

/** What CONFIG GET answers: enough for redis-benchmark and client libraries to start. */
const CONFIG: Record<string, string> = { save: '', appendonly: 'no', databases: '1', maxmemory: '0', 'maxmemory-policy': 'noeviction', timeout: '0' }

const BUILTINS: Record<string, Builtin> = {
  auth: (node, conn, args) => {
    if (args.length < 2 || args.length > 3) return err(new WrongArgsError('auth'))
    if (!node.needsAuth) return err(new Error('AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?'))
    if (!node.checkAuth(args[args.length - 1] as string)) return err(new WrongPassError())
    conn.authed = true
    return frame(OK)
  },
  hello: (node, conn, args) => {
    let protocol = conn.protocol
    let i = 1
    if (args.length > 1) {
      const v = args[1] as string
      if (v !== '2' && v !== '3') return { type: 'error', value: 'NOPROTO unsupported protocol version' }
      protocol = v === '3' ? 3 : 2
      i = 2
    }
    for (; i < args.length; i++) {
      const opt = (args[i] as string).toLowerCase()
      if (opt === 'auth' && i + 2 < args.length) {
        if (node.needsAuth && !node.checkAuth(args[i + 2] as string)) return err(new WrongPassError())
        conn.authed = true
        i += 2
      } else if (opt === 'setname' && i + 1 < args.length) {
        conn.name = args[++i]
      } else return err(new SyntaxError(`syntax error in HELLO option '${opt}'`))
    }
    if (!conn.authed) return { type: 'error', value: 'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time' }
    conn.protocol = protocol
    const role = node.stats().role === 'leader' ? 'master' : 'replica'
    return frame(new Map<string, unknown>([['server', node.def.name], ['version', node.def.version], ['proto', protocol], ['id', conn.id], ['mode', 'standalone'], ['role', role], ['modules', []]]))
  },
  quit: (_node, conn) => { conn.quit = true; return frame(OK) },
  reset: (node, conn) => { conn.protocol = 2; conn.authed = !node.needsAuth; conn.name = undefined; return frame(new SimpleString('RESET')) },
  ping: (_node, _conn, args) => args.length > 2 ? err(new WrongArgsError('ping')) : args.length === 2 ? frame(args[1]) : frame(new SimpleString('PONG')),
  echo: (_node, _conn, args) => args.length !== 2 ? err(new WrongArgsError('echo')) : frame(args[1]),
  select: (_node, _conn, args) => args.length !== 2 ? err(new WrongArgsError('select')) : args[1] === '0' ? frame(OK) : err(new Error('DB index is out of range')),
  client: (_node, conn, args) => {
    const sub = (args[1] ?? '').toLowerCase()
    switch (sub) {
      case 'setname': conn.name = args[2]; return frame(OK)
      case 'getname': return frame(conn.name ?? null)
      case 'id': return frame(conn.id)
      case 'setinfo': return frame(OK)
      case 'info': return frame(`id=${conn.id} addr=${conn.remoteAddress} name=${conn.name ?? ''} resp=${conn.protocol}\n`)
      default: return err(new Error(`unknown subcommand '${args[1] ?? ''}'. Try CLIENT HELP.`))
    }
  },
  monitor: (_node, conn) => { conn.monitor = true; return frame(OK) },
  command: (node, _conn, args) => {
    const names = [...Object.keys(BUILTINS), ...node.def.write.keys(), ...node.def.read.keys(), ...node.def.intermediate.keys()]
    const info = (n: string): unknown[] => [n, -1, [node.def.write.has(n) ? new SimpleString('write') : new SimpleString('readonly')], 0, 0, 0]
    const sub = (args[1] ?? '').toLowerCase()
    if (sub === '') return frame(names.map(info))
    if (sub === 'count') return frame(names.length)
    if (sub === 'docs') return frame(new Map())
    if (sub === 'info') return frame(args.slice(2).map(n => names.includes(n.toLowerCase()) ? info(n.toLowerCase()) : null))
    return err(new Error(`unknown subcommand '${args[1] ?? ''}'. Try COMMAND HELP.`))
  },
  config: (_node, _conn, args) => {
    if ((args[1] ?? '').toLowerCase() !== 'get' || args.length < 3) return err(new Error('only CONFIG GET is supported'))
    const out = new Map<string, string>()
    for (const p of args.slice(2)) {
      const re = globToRegExp(p.toLowerCase())
      for (const [k, v] of Object.entries(CONFIG)) if (re.test(k)) out.set(k, v)
    }
    return frame(out)
  },
  info: (node) => {
    const s = node.stats()
    const lines = [
      '# Server', `redis_version:${REDIS_COMPAT_VERSION}`, `machine_name:${node.def.name}`, `machine_version:${node.def.version}`, `uptime_in_seconds:${Math.floor(node.uptimeMs / 1000)}`,
      '', '# Persistence', 'loading:0',
      '', '# Replication', `role:${s.role === 'leader' ? 'master' : 'slave'}`, `raft_state:${s.role}`, `raft_term:${s.term}`
    ]
    return frame(lines.join('\r\n') + '\r\n')
  },
  version: (node) => frame(node.def.version),
  machine: (node) => frame(new Map<string, unknown>([
    ['name', node.def.name], ['version', node.def.version], ['node_id', node.nodeId], ['now', node.fsm.lastTs],
    ['applied_index', node.stats().appliedIndex], ['uptime_ms', node.uptimeMs]
  ])),
  raft: async (node, _conn, args) => await raftCommand(node, args)
}

/** Runs a built-in command; undefined when `args[0]` names none. */
export function runBuiltin (node: AnyMachineNode, conn: ConnState, args: string[]): RespFrame | Promise<RespFrame> | undefined {
  const fn = BUILTINS[(args[0] ?? '').toLowerCase()]
  if (fn === undefined) return undefined
  try {
    return fn(node, conn, args)
  } catch (e) {
    return err(e)
  }
}

/** Names of the built-in commands (they take precedence over the application's). */
export const BUILTIN_NAMES: readonly string[] = Object.keys(BUILTINS)

