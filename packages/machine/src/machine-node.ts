import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { createHash, timingSafeEqual } from 'node:crypto'
import { createLogger, createRandom, joinHostPort, NotLeaderError, parseHostPort, Service, systemClock, type Clock, type Logger, type Random, type TimerHandle } from '@clusterfunk/core'
import { FileSnapshotStore, GrpcTransport, LevelStore, Raft, type Configuration, type RaftStats, type SnapshotInfo } from './raft-deps.js'
import type { MachineDefinition } from './definition.js'
import { encodeEntry, type MachineEntry } from './entry-codec.js'
import { errorText, toFrame } from './reply.js'
import { LeaderClock } from './leader-clock.js'
import { MachineFsm } from './machine-fsm.js'
import { Monitor } from './monitor.js'
import { resolveNodeInit, type MachineNodeInit, type ResolvedNodeInit } from './node-options.js'
import { RespClient } from './resp-client.js'
import type { RespFrame } from './resp-frame.js'
import { RespServer, type ServiceHandler } from './resp-server.js'
import { UnsyncedStore } from './unsynced-store.js'
import { CommandError, NoAuthError, UnknownCommandError } from './errors.js'
import type { ConnState } from './conn-state.js'
import type { IntermediateMachine } from './machine-types.js'
import { MachineMetrics } from './machine-metrics.js'
import { BUILTIN_NAMES, runBuiltin } from './builtins.js'
import { commandArgs } from './command-args.js'

/** How often a node checks that the cluster knows its client address. */
const PEER_CHECK_MS = 1000
/** Connections to (former) leaders kept for forwarding. */
const MAX_FORWARDERS = 4
/** Pause between two join attempts. */
const JOIN_RETRY_MS = 500

/** Makes a service for a node (the node exists, but has not started, when it is called). */
export type ServiceFactory = (node: AnyMachineNode) => ServiceHandler

export interface MachineNodeComponents {
  logger?: Logger
  /** Time and timers of the node and its Raft (default: the system clock). */
  clock?: Clock
  /** Where the leader draws each entry's seed (default: core's generator, randomly seeded). */
  random?: Random
  /** Services sharing the client port, tried in order on a connection's first bytes (uhaha's AddService); RESP takes the rest. */
  services?: ServiceFactory[]
}

/**
 * One member of a machine cluster: the application's state machine under
 * Raft (classic-level log, file snapshots, gRPC between members) and a RESP
 * server for clients on one port.
 */
export class MachineNode<Data = unknown, Context = unknown> extends Service {
  readonly options: ResolvedNodeInit
  readonly def: MachineDefinition<Data, Context>
  readonly log: Logger
  readonly monitor = new Monitor()
  readonly metrics = new MachineMetrics()
  fsm!: MachineFsm<Data, Context>
  raft!: Raft<RespFrame>
  private transport!: GrpcTransport
  private store: LevelStore | undefined
  snapshots!: FileSnapshotStore
  private server: RespServer | undefined
  private readonly services: ServiceHandler[]
  /** Time and timers (core's Clock): the leader's stamps, the tick, the peer check, waits. */
  readonly clock: Clock
  private readonly stamps: LeaderClock
  private readonly random: Random
  /** This node leads, as the last `role:change` said: the hot path's check (a full `stats()` per write showed in the profile). */
  private leading = false
  private readonly forwarders = new Map<string, RespClient>()
  private tickTimer: TimerHandle | undefined
  private peerTimer: TimerHandle | undefined
  private tickInFlight = false
  private peerInFlight = false
  private joinAbort: AbortController | undefined
  private readonly startedMs: number

  constructor (def: MachineDefinition<Data, Context>, init: MachineNodeInit = {}, components: MachineNodeComponents = {}) {
    super()
    this.def = def
    this.options = resolveNodeInit(init)
    this.log = components.logger ?? createLogger('machine')
    this.services = (components.services ?? []).map(make => make(this))
    this.clock = components.clock ?? systemClock
    this.startedMs = this.clock.now()
    this.stamps = new LeaderClock(this.options.localTime)
    this.random = components.random ?? createRandom()
  }

  /** The client address clients and other members reach this node at. */
  get clientAddress (): string {
    if (this.options.advertise !== undefined) return this.options.advertise
    const port = this.server?.port ?? this.options.port
    return joinHostPort(this.options.host === '0.0.0.0' || this.options.host === '::' ? '127.0.0.1' : this.options.host, port)
  }

  get raftAddress (): string {
    return this.transport.address
  }

  get nodeId (): string {
    return this.options.nodeId
  }

  get uptimeMs (): number {
    return Math.floor(this.clock.now() - this.startedMs)
  }

  protected async onStart (): Promise<void> {
    const o = this.options
    await mkdir(o.dataDir, { recursive: true })
    this.def.dataDirReady?.(path.resolve(o.dataDir))
    this.fsm = new MachineFsm(this.def, o.nodeId, this.log.child('fsm'))
    const store = new LevelStore(path.join(o.dataDir, 'log'))
    await store.open()
    this.store = store
    const logStore = o.noSync ? new UnsyncedStore(store) : store
    this.snapshots = new FileSnapshotStore(path.join(o.dataDir, 'snapshots'))
    const raftAdvertise = o.raftAdvertise ?? (o.advertise !== undefined && o.raftPort !== 0 ? joinHostPort(parseHostPort(o.advertise)?.host ?? o.host, o.raftPort) : undefined)
    this.transport = new GrpcTransport({ logger: this.log.child('transport') }, {
      host: o.host,
      port: o.raftPort,
      ...(raftAdvertise === undefined ? {} : { advertise: raftAdvertise }),
      ...(o.auth === undefined ? {} : { token: raftToken(o.auth) }),
      ...(o.tls === undefined ? {} : { tls: o.tls })
    })
    this.raft = new Raft<RespFrame>({ transport: this.transport, logStore, stableStore: logStore, snapshotStore: this.snapshots, fsm: this.fsm, logger: this.log.child('raft'), clock: this.clock }, {
      id: o.nodeId,
      preset: o.preset,
      ...(o.snapshotThreshold === undefined ? {} : { snapshotThreshold: o.snapshotThreshold })
    })
    this.raft.addEventListener('role:change', (e) => { this.onRole(e.detail.role) })
    const raft = this.raft
    this.metrics.watchRaft(() => { try { return raft.stats() } catch { return undefined } })
    this.metrics.setKnownCommands([...BUILTIN_NAMES, ...this.def.write.keys(), ...this.def.read.keys(), ...this.def.intermediate.keys()])
    await this.raft.start()
    const stats = this.raft.stats()
    const fresh = stats.lastIndex === 0 && stats.snapshotIndex === 0 && stats.term === 0
    if (fresh && o.join === undefined) {
      if (o.restore !== undefined) {
        await this.fsm.restoreBytes(await readFile(o.restore))
        this.fsm.peers.clear()
        this.log.info('restored from a snapshot file', { path: o.restore })
      }
      await this.raft.bootstrap({ voters: [{ id: o.nodeId, address: this.transport.address }], nonVoters: [] })
    } else if (o.restore !== undefined) {
      this.log.warn('--restore ignored: the data directory already holds state', { dir: o.dataDir })
    }
    this.server = new RespServer(this, { host: o.host, port: o.port, tls: o.tls, maxConnections: o.maxConnections, limits: o.respLimits, services: this.services, logger: this.log.child('server') })
    await this.server.start()
    this.def.serverReady?.({ address: this.clientAddress, auth: o.auth, tls: o.tls })
    if (fresh && o.restore !== undefined && o.join === undefined) {
      // The restored state becomes a snapshot of the new cluster, so a restart (and every later member) starts from it.
      await this.waitForLeader()
      await this.raft.snapshot()
    }
    this.schedulePeerCheck()
    if (fresh && o.join !== undefined) this.startJoin(o.join)
    this.log.info('serving', { nodeId: o.nodeId, address: this.clientAddress, raftAddress: this.transport.address })
  }

  protected async onStop (): Promise<void> {
    this.joinAbort?.abort()
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer)
    if (this.peerTimer !== undefined) this.clock.clearTimeout(this.peerTimer)
    this.tickTimer = undefined
    this.peerTimer = undefined
    for (const c of this.forwarders.values()) c.close()
    this.forwarders.clear()
    await this.server?.stop()
    this.server = undefined
    await this.raft?.stop().catch(() => {})
    await this.store?.close().catch(() => {})
    this.store = undefined
  }

  private async waitForLeader (): Promise<void> {
    for (let i = 0; i < 600 && this.raft.stats().role !== 'leader'; i++) await this.sleep(50)
    await this.raft.barrier()
  }

  private async sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => { this.clock.setTimeout(resolve, ms) })
  }

  private schedulePeerCheck (): void {
    this.peerTimer = this.clock.setTimeout(() => {
      if (this.status !== 'started') return
      this.checkPeer()
      this.schedulePeerCheck()
    }, PEER_CHECK_MS)
  }

  private onRole (role: string): void {
    this.stamps.reset()
    this.leading = role === 'leader'
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer)
    this.tickTimer = undefined
    if (role !== 'leader') return
    if (this.def.tick !== undefined) this.scheduleTick()
    this.checkPeer()
  }

  /** The tick write every `tickDelayMs` while this node leads (one at a time). */
  private scheduleTick (): void {
    this.tickTimer = this.clock.setTimeout(() => {
      if (this.status !== 'started' || this.raft.stats().role !== 'leader') return
      this.tick()
      this.scheduleTick()
    }, this.def.tickDelayMs)
  }

  private tick (): void {
    if (this.tickInFlight || this.status !== 'started') return
    this.tickInFlight = true
    this.propose({ kind: 'tick' }).catch(() => {}).finally(() => { this.tickInFlight = false })
  }

  /** Makes sure the replicated peer table holds this node's client address (the leader writes it; a follower asks the leader). */
  private checkPeer (): void {
    if (this.peerInFlight || this.status !== 'started' || this.fsm.peers.get(this.nodeId) === this.clientAddress) return
    const stats = this.raft.stats()
    if (stats.leaderId === undefined) return
    if (!isMember(stats.configuration, this.nodeId)) return
    this.peerInFlight = true
    const done = (): void => { this.peerInFlight = false }
    if (stats.role === 'leader') {
      this.raft.barrier().then(async () => {
        if (this.fsm.peers.get(this.nodeId) !== this.clientAddress) await this.propose({ kind: 'peer', nodeId: this.nodeId, clientAddress: this.clientAddress })
      }).catch(() => {}).finally(done)
    } else {
      this.redirect(['RAFT', 'PEER', this.nodeId, this.clientAddress], true).catch(() => {}).finally(done)
    }
  }

  private startJoin (target: string): void {
    const abort = new AbortController()
    this.joinAbort = abort
    const args = ['RAFT', 'SERVER', 'ADD', this.nodeId, this.clientAddress, this.transport.address]
    void (async () => {
      while (!abort.signal.aborted) {
        if (isMember(this.raft.stats().configuration, this.nodeId)) return
        const client = new RespClient({ address: target, timeoutMs: this.options.forwardTimeoutMs, ...(this.options.auth === undefined ? {} : { auth: this.options.auth }), ...(this.options.tls === undefined ? {} : { tls: this.options.tls }) })
        try {
          const reply = await client.call(args)
          if (reply.type !== 'error') { this.log.info('joined', { via: target }); return }
          this.log.warn('join refused; retrying', { via: target, reply: reply.value })
        } catch (err) {
          this.log.warn('join failed; retrying', { via: target, error: String(err) })
        } finally {
          client.close()
        }
        await this.sleep(JOIN_RETRY_MS)
      }
    })()
  }

  /** Appends an entry stamped with the leader's time and a fresh seed; resolves with the reply once applied here. */
  async propose (e: { kind: 'command', args: Buffer[] } | { kind: 'tick' } | { kind: 'peer', nodeId: string, clientAddress: string } | { kind: 'unpeer', nodeId: string }): Promise<RespFrame> {
    const ts = this.stamps.stamp(this.clock.wallNow(), this.clock.now(), this.fsm.lastTs)
    const entry = { ...e, ts, seed: this.random.uint32() } as MachineEntry
    return await this.raft.apply(encodeEntry(entry), { timeoutMs: this.options.forwardTimeoutMs })
  }

  /** A write command: appended on the leader, redirected on a follower (waiting, within the forward timeout, for a leader to be known). */
  async write (args: Buffer[]): Promise<RespFrame> {
    if (!this.leading) {
      await this.leaderKnown()
      if (this.raft.stats().role !== 'leader') return await this.redirect(args, false)
    }
    try {
      return await this.propose({ kind: 'command', args })
    } catch (err) {
      // Not appended, or surely not committed: the leader (known by now or soon) takes it.
      if (err instanceof NotLeaderError && this.status === 'started') {
        await this.leaderKnown()
        if (this.raft.stats().role !== 'leader') return await this.redirect(args, false)
      }
      return { type: 'error', value: errorText(err) }
    }
  }

  /** Resolves once this node leads, or knows the leader and its client address, or the forward timeout passed. */
  async leaderKnown (): Promise<void> {
    const known = (): boolean => this.raft.stats().role === 'leader' || this.leaderClientAddress() !== undefined
    if (known() || this.status !== 'started') return
    const deadline = this.clock.now() + this.options.forwardTimeoutMs
    while (!known() && this.clock.now() < deadline && this.status === 'started') {
      await new Promise<void>(resolve => {
        const done = (): void => { this.clock.clearTimeout(timer); this.raft.removeEventListener('leader:change', done); resolve() }
        // Leader changes wake the wait at once; the peer table (applied entries) is checked every 20 ms.
        const timer = this.clock.setTimeout(done, 20)
        this.raft.addEventListener('leader:change', done)
      })
    }
  }

  /** A read command: after a ReadIndex round (on any member), or at once with open reads. */
  async read (args: ReadonlyArray<string | Buffer>): Promise<RespFrame> {
    if (this.options.openReads) return this.fsm.read(args)
    try {
      return await this.raft.read(() => this.fsm.read(args), { timeoutMs: this.options.forwardTimeoutMs })
    } catch (err) {
      return { type: 'error', value: errorText(err) }
    }
  }

  /** An intermediate command (or the catch-all) for one connection. */
  async intermediate (conn: ConnState, argv: ReadonlyArray<string | Buffer>): Promise<RespFrame> {
    const { strings: args, bytes } = commandArgs(argv)
    const name = (args[0] ?? '').toLowerCase()
    const fn = this.def.intermediate.get(name) ?? this.def.catchAll
    if (fn === undefined) return { type: 'error', value: errorText(new UnknownCommandError(name)) }
    const m: IntermediateMachine<Context> = {
      context: conn.context as Context | undefined,
      setContext: (c) => { conn.context = c },
      log: this.log,
      nodeId: this.nodeId,
      remoteAddress: conn.remoteAddress
    }
    try {
      return toFrame(await fn(m, args, bytes), 3)
    } catch (err) {
      return { type: 'error', value: errorText(err) }
    }
  }

  /**
   * Runs one command for a caller outside a RESP connection (a service on
   * the shared port): the same rules as a RESP client (AUTH first when the
   * node has a secret, built-ins, write, read, intermediate).
   */
  async execute (conn: ConnState, args: string[]): Promise<RespFrame> {
    const name = (args[0] ?? '').toLowerCase()
    const started = this.clock.now()
    let result: RespFrame
    if (args.length === 0) result = { type: 'error', value: 'ERR empty command' }
    else if (!conn.authed && name !== 'auth' && name !== 'ping') result = { type: 'error', value: errorText(new NoAuthError()) }
    else {
      const builtin = runBuiltin(this, conn, args)
      if (builtin !== undefined) result = await builtin
      else if (this.def.write.has(name)) result = await this.write(args.map(a => Buffer.from(a)))
      else if (this.def.read.has(name)) result = await this.read(args)
      else result = await this.intermediate(conn, args)
    }
    this.metrics.record(name, result.type !== 'error', this.clock.now() - started)
    return result
  }

  /** The leader's client address, when known. */
  leaderClientAddress (): string | undefined {
    const id = this.raft.stats().leaderId
    return id === undefined ? undefined : this.fsm.peers.get(id)
  }

  /**
   * What a follower does with a command only the leader may run: forward it
   * (default, or always when `internal`), or answer MOVED / TRY.
   */
  async redirect (args: Array<string | Buffer>, internal: boolean): Promise<RespFrame> {
    const stats = this.raft.stats()
    if (stats.role === 'leader') return { type: 'error', value: 'TRYAGAIN leadership changed; try again' }
    const address = this.leaderClientAddress()
    if (address === undefined) return { type: 'error', value: 'CLUSTERDOWN the leader is not known yet' }
    if (!internal && this.options.followerMode === 'moved') return { type: 'error', value: `MOVED 0 ${address}` }
    if (!internal && this.options.followerMode === 'try') return { type: 'error', value: `TRY ${address}` }
    let client = this.forwarders.get(address)
    if (client === undefined) {
      // Calls in flight to a former leader finish on their own connection; only the oldest beyond a few is closed.
      if (this.forwarders.size >= MAX_FORWARDERS) {
        const [oldest, c] = this.forwarders.entries().next().value as [string, RespClient]
        c.close()
        this.forwarders.delete(oldest)
      }
      client = new RespClient({ address, timeoutMs: this.options.forwardTimeoutMs, ...(this.options.auth === undefined ? {} : { auth: this.options.auth }), ...(this.options.tls === undefined ? {} : { tls: this.options.tls }) })
      this.forwarders.set(address, client)
    }
    try {
      this.metrics.forwarded()
      return await client.call(args)
    } catch (err) {
      return { type: 'error', value: `TRYAGAIN forwarding to the leader failed: ${err instanceof Error ? err.message : String(err)}` }
    }
  }

  /** Raft admin calls that only the leader can make: run here or forwarded. */
  async leaderOnly (args: string[], run: () => Promise<RespFrame>): Promise<RespFrame> {
    if (this.raft.stats().role !== 'leader') await this.leaderKnown()
    if (this.raft.stats().role !== 'leader') return await this.redirect(args, true)
    try {
      return await run()
    } catch (err) {
      if (err instanceof NotLeaderError) return await this.redirect(args, true)
      return { type: 'error', value: errorText(err) }
    }
  }

  stats (): RaftStats {
    return this.raft.stats()
  }

  async snapshotList (): Promise<SnapshotInfo[]> {
    return await this.snapshots.list()
  }

  snapshotDir (): string {
    return path.resolve(this.options.dataDir, 'snapshots')
  }

  /** Checks a client's password (the shared secret), in constant time. */
  checkAuth (password: string): boolean {
    const secret = this.options.auth
    if (secret === undefined) return true
    return constantTimeEqual(password, secret)
  }

  get needsAuth (): boolean {
    return this.options.auth !== undefined
  }

  commandError (err: unknown): RespFrame {
    return { type: 'error', value: errorText(err instanceof Error ? err : new CommandError(String(err))) }
  }
}

/**
 * The Raft transport's token, derived from the shared secret (the transport
 * proves it with an HMAC and never sends it; deriving it lets a secret of any
 * length serve, and keeps the client password and the server token apart).
 */
function raftToken (auth: string): string {
  return createHash('sha256').update('clusterfunk machine raft token\0').update(auth).digest('hex')
}

function isMember (c: Configuration, id: string): boolean {
  return c.voters.some(m => m.id === id) || c.nonVoters.some(m => m.id === id)
}

function constantTimeEqual (a: string, b: string): boolean {
  // Hash both so lengths leak nothing, then compare in constant time.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())
}

/** A node of any application, for the parts (server, connections, built-ins) that do not touch its data's type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMachineNode = MachineNode<any, any>
