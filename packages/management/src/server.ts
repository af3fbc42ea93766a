import { Server, ServerCredentials, status as Code, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js'
import { ConnectionGuard, InvalidArgumentError, MAP_VERSIONS, NotLeaderError, inRange, NotStartedError, Service, noopMetrics, silentLogger, systemClock, type AbortOptions, type Clock, type Counter, type Logger, type Metrics } from '@clusterfunk/core'
import { FORWARDED_KEY, joinHostPort, peerIp, tokenMatches } from './auth.js'
import type { ManagementClient } from './client.js'
import { encodeEndpoints, encodeNodes, encodeShards, encodeStatus, formatOf, withFormat } from './codec.js'
import { ManagementError, UnauthenticatedError } from './errors.js'
import { ForwardPool } from './forward.js'
import { PEER_PROOF_KEY, PeerProofVerifier, peerProofKey } from './peer-proof.js'
import { MANAGEMENT_FORMAT_VERSION, MAX_REQUEST_BYTES, digestOf, managementMethod, managementService, withBodyDigests, type ManagementMethod, type Wire } from './proto.js'
import type { ManagementSource } from './source.js'
import { checkNodeId } from './node-ids.js'
import { WatchStreams } from './watch.js'
import { resolveServerInit, type ManagementConnectionLimits, type ManagementServerInit, type ResolvedManagementServerInit } from './server-init.js'
import { Responder } from './respond.js'
import { messagingHandlers } from './messaging-server.js'
import { UnsupportedFormatError } from './status.js'
import { coordinationHandlers } from './coordination-handlers.js'

/** What a `ManagementServer` needs from outside. */
export interface ManagementServerComponents {
  /** The node it reports on and acts for. */
  source: ManagementSource
  logger?: Logger
  metrics?: Metrics
  clock?: Clock
}


/** Where a started server listens. */
export interface ManagementAddress {
  host: string
  port: number
}

type Handler = (request: Wire, call: ServerUnaryCall<Wire, Wire>) => Promise<Wire>

/**
 * The gRPC management API of one node (proto/management.proto), answered
 * from a `ManagementSource`. Leader-only calls that reach a follower are
 * forwarded to the leader's management endpoint (with this server's token
 * and TLS), so any node answers everything. `stop()` ends every event
 * stream and shuts the server down, cutting calls still running after
 * `shutdownTimeoutMs`.
 */
export class ManagementServer extends Service {
  private readonly source: ManagementSource
  private readonly logger: Logger
  private readonly clock: Clock
  private readonly responder: Responder
  private readonly host: string
  private readonly port: number
  private readonly init: ResolvedManagementServerInit
  private readonly shutdownTimeoutMs: number
  private readonly watchers: WatchStreams
  private server?: Server
  private bound?: ManagementAddress
  private forwards?: ForwardPool
  private guard?: ConnectionGuard
  private injector?: ReturnType<Server['createConnectionInjector']>
  private readonly metrics: Metrics
  private readonly connections: ManagementConnectionLimits
  private readonly proofKey: Buffer | undefined
  private readonly proofs: PeerProofVerifier | undefined
  private readonly refusedProofs: Counter

  /** @throws InvalidConfigError for a bad port, host, timeout, or a token that would travel in clear */
  constructor (components: ManagementServerComponents, init: ManagementServerInit = {}) {
    super()
    this.source = components.source
    this.logger = components.logger ?? silentLogger()
    this.clock = components.clock ?? systemClock
    const metrics = components.metrics ?? noopMetrics
    this.metrics = metrics
    this.responder = new Responder({
      requests: metrics.counter({
        name: 'clusterfunk_cluster_management_requests_total', help: 'Management RPCs answered, by method and gRPC code', labelNames: ['method', 'code']
      }),
      faults: metrics.counter({
        name: 'clusterfunk_cluster_management_handler_faults_total', help: 'Management handlers that failed past every typed answer (answered INTERNAL)', labelNames: ['method']
      }),
      logger: this.logger
    })
    const resolved = resolveServerInit(init)
    this.init = resolved
    this.host = resolved.host
    this.port = resolved.port
    this.shutdownTimeoutMs = resolved.shutdownTimeoutMs
    const watch = resolved.watch
    this.watchers = new WatchStreams(watch, this.clock, metrics.counter({
      name: 'clusterfunk_cluster_management_watch_evictions_total', help: 'WatchEvents streams ended because the consumer stopped reading, by reason (stalled, backlog)', labelNames: ['reason']
    }))
    this.refusedProofs = metrics.counter({
      name: 'clusterfunk_cluster_management_peer_proofs_refused_total', help: 'Peer proofs refused, by reason (malformed, stale, mac, replay, busy)', labelNames: ['reason']
    })
    this.proofKey = init.token === undefined ? undefined : peerProofKey(init.token)
    this.proofs = this.proofKey === undefined ? undefined : new PeerProofVerifier(this.proofKey)
    this.connections = resolved.connections
  }

  /** Where the server listens. @throws NotStartedError when not started */
  address (): ManagementAddress {
    if (this.bound === undefined) throw new NotStartedError('the management server is not started')
    return { ...this.bound }
  }

  /** The `host:port` clients dial. */
  endpoint (): string {
    const { host, port } = this.address()
    return joinHostPort(host, port)
  }

  private ownEndpoint (): string | undefined {
    return this.bound === undefined ? undefined : joinHostPort(this.bound.host, this.bound.port)
  }

  protected async onStart (_options: AbortOptions): Promise<void> {
    const c = this.connections
    const server = new Server({
      'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
      // A session with no call for this long is closed (GOAWAY): idle connections cost nothing for long.
      'grpc.max_connection_idle_ms': c.sessionIdleMs,
      // Pings keep a quiet WatchEvents stream's bytes flowing, so the guard's idle timeout spares it.
      'grpc.keepalive_time_ms': Math.max(1_000, Math.floor(c.idleTimeoutMs / 2)),
      'grpc.max_concurrent_streams': c.maxStreamsPerConnection,
      'grpc-node.max_session_memory': c.maxSessionMemoryMb
    })
    this.server = server
    server.addService(withBodyDigests(managementService()), this.handlers())
    const tls = this.init.tls
    const creds = tls === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(tls.clientCa ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], tls.clientCa !== undefined)
    // The guard owns the port: it caps connections (in all and per address) and closes idle ones, then hands the rest to grpc-js.
    const injector = server.createConnectionInjector(creds)
    const guard = new ConnectionGuard({ logger: this.logger, metrics: this.metrics }, {
      part: 'management',
      host: this.host,
      port: this.port,
      maxConnections: c.maxConnections,
      maxConnectionsPerAddress: c.maxConnectionsPerAddress,
      idleTimeoutMs: c.idleTimeoutMs,
      metricPrefix: 'clusterfunk_cluster_management'
    }, socket => { injector.injectConnection(socket) })
    this.guard = guard
    this.injector = injector
    await guard.start()
    this.bound = { host: this.host, port: guard.address().port }
    this.forwards = new ForwardPool({
      proofKey: this.proofKey,
      tls: tls === undefined ? undefined : { ca: tls.peerCa ?? tls.cert, ...(tls.clientCa === undefined ? {} : { cert: tls.cert, key: tls.key }) },
      timeoutMs: this.init.forwardTimeoutMs
    })
    this.logger.debug('management server listening', { address: this.bound })
  }

  protected async onStop (): Promise<void> {
    this.watchers.abortAll()
    this.forwards?.close()
    this.forwards = undefined
    const server = this.server
    this.server = undefined
    this.bound = undefined
    const guard = this.guard
    const injector = this.injector
    this.guard = undefined
    this.injector = undefined
    if (server !== undefined) {
      await new Promise<void>(resolve => {
        const timer = this.clock.setTimeout(() => { server.forceShutdown(); resolve() }, this.shutdownTimeoutMs)
        timer.unref?.()
        server.tryShutdown(() => { this.clock.clearTimeout(timer); resolve() })
      })
    }
    injector?.destroy()
    await guard?.stop()
  }

  private handlers (): UntypedServiceImplementation {
    const s = this.source
    return {
      GetStatus: this.unary('GetStatus', async (_req, call) => encodeStatus({ ...await s.status(), callerAddress: peerIp(call.getPeer()) })),
      ListNodes: this.leaderOnly('ListNodes', async () => encodeNodes(await s.nodes()), async c => encodeNodes(await c.nodes())),
      AddNode: this.leaderOnly('AddNode', async req => {
        await s.addNode(addRequest(req))
        return withFormat({})
      }, async (c, req) => { await c.addNode(addRequest(req)); return withFormat({}) }),
      RemoveNode: this.leaderOnly('RemoveNode', async req => {
        await s.removeNode(checkNodeId(req.id))
        return withFormat({})
      }, async (c, req) => { await c.removeNode(checkNodeId(req.id)); return withFormat({}) }),
      StepDown: this.leaderOnly('StepDown', async () => { await s.stepDown(); return withFormat({}) }, async c => { await c.stepDown(); return withFormat({}) }),
      ListShards: this.unary('ListShards', async () => encodeShards(await s.shards())),
      ListEndpoints: this.unary('ListEndpoints', async req => {
        const filter = typeof req.filter === 'string' && req.filter !== '' ? req.filter : undefined
        return encodeEndpoints(await s.endpoints(filter))
      }),
      FindEndpoint: this.unary('FindEndpoint', async req => {
        const name = typeof req.name === 'string' ? req.name : ''
        return encodeEndpoints(name === '' ? [] : (await s.endpoints(name)).filter(e => e.name === name))
      }),
      WatchEvents: (call: ServerWritableStream<Wire, Wire>) => { this.responder.stream('WatchEvents', call, async () => { await this.watch(call) }) },
      AckShardMap: this.unary('AckShardMap', async req => {
        const nodeId = checkNodeId(req.nodeId)
        const version = ackVersion(req.version)
        if (s.ackShardMap === undefined) throw new ManagementError('this node takes no shard-map acks', Code.UNIMPLEMENTED, 'GENERIC')
        await s.ackShardMap(nodeId, version)
        return withFormat({})
      }),
      ...coordinationHandlers(s, {
        unary: (method, handle) => this.unary(method, handle),
        leaderOnly: (method, local, forward) => this.leaderOnly(method, local, forward),
        stream: (method, call, serve) => {
          this.responder.stream(method, call, async () => {
            try {
              this.admit(method, call.request, call.metadata)
              await serve(call)
              this.responder.done(method)
              if (!call.cancelled) call.end()
            } catch (err) {
              if (this.status !== 'started' || call.cancelled) {
                if (!call.cancelled) call.end()
              } else {
                this.responder.fail(method, call, err)
              }
            }
          })
        }
      }),
      ...messagingHandlers(s, (method, handle) => this.unary(method, handle), (method, call, work) => { this.responder.stream(method, call, async () => { await this.serveStream(method, call, work) }) })
    }
  }

  /** Runs a server-streaming call of the messaging RPCs: admitted like any call, ended when done, cancelled by the client or by `stop()`. */
  private async serveStream (method: ManagementMethod, call: ServerWritableStream<Wire, Wire>, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const controller = new AbortController()
    const onCancel = (): void => { controller.abort() }
    call.on('cancelled', onCancel)
    try {
      this.admit(method, call.request, call.metadata)
      await work(controller.signal)
      this.responder.done(method)
      if (!call.cancelled) call.end()
    } catch (err) {
      if (this.status !== 'started' || call.cancelled) {
        if (!call.cancelled) call.end()
      } else {
        this.responder.fail(method, call, err)
      }
    } finally {
      call.off('cancelled', onCancel)
    }
  }

  /** Checks the token and the format version of a call; throws the error to answer with. */
  private admit (method: ManagementMethod, request: Wire, metadata: ServerUnaryCall<Wire, Wire>['metadata']): void {
    if (this.init.token !== undefined) this.authenticate(method, request, metadata, this.init.token)
    const format = formatOf(request)
    if (format !== MANAGEMENT_FORMAT_VERSION) throw new UnsupportedFormatError(format)
  }

  /** An operator's bearer token, or a peer's proof bound to this call and this server (see peer-proof.ts). */
  private authenticate (method: ManagementMethod, request: Wire, metadata: ServerUnaryCall<Wire, Wire>['metadata'], token: string): void {
    const proof = metadata.get(PEER_PROOF_KEY)[0]
    if (proof === undefined) {
      if (!tokenMatches(metadata, token)) throw new UnauthenticatedError()
      return
    }
    const digest = digestOf(request)
    const own = this.ownEndpoint()
    const refusal = typeof proof !== 'string' || digest === undefined || own === undefined || this.proofs === undefined
      ? 'malformed'
      : this.proofs.verify(proof, { path: managementMethod(method).path, bodyDigest: digest }, [own], this.clock.wallNow())
    if (refusal === undefined) return
    this.refusedProofs.inc({ reason: refusal })
    throw new UnauthenticatedError(`peer proof refused (${refusal})`)
  }

  private unary (method: ManagementMethod, handle: Handler): (call: ServerUnaryCall<Wire, Wire>, callback: sendUnaryData<Wire>) => void {
    return (call, callback) => {
      this.responder.unary(method, callback, async () => {
        this.admit(method, call.request, call.metadata)
        return await handle(call.request, call)
      })
    }
  }

  /** A leader-only call: asked of the source, forwarded to the leader when the source says it is not. */
  private leaderOnly (method: ManagementMethod, local: Handler, forward: (client: ManagementClient, request: Wire) => Promise<Wire>): ReturnType<ManagementServer['unary']> {
    return this.unary(method, async (request, call) => {
      try {
        return await local(request, call)
      } catch (err) {
        const forwards = this.forwards
        if (!(err instanceof NotLeaderError) || err.leaderAddress === undefined || forwards === undefined) throw err
        if (call.metadata.get(FORWARDED_KEY).length > 0 || err.leaderAddress === this.ownEndpoint()) throw err
        this.logger.debug('forwarding to the leader', { method, leader: err.leaderId, address: err.leaderAddress })
        return await forwards.call(err, client => forward(client, request))
      }
    })
  }

  private async watch (call: ServerWritableStream<Wire, Wire>): Promise<void> {
    try {
      this.admit('WatchEvents', call.request, call.metadata)
      await this.watchers.serve(call, this.source)
      this.responder.done('WatchEvents')
      if (!call.cancelled) call.end()
    } catch (err) {
      if (this.status !== 'started' || call.cancelled) {
        if (!call.cancelled) call.end()
      } else {
        this.responder.fail('WatchEvents', call, err)
      }
    }
  }
}

function addRequest (req: Wire): { id: string, address: string, nonVoter: boolean } {
  return { id: checkNodeId(req.id), address: typeof req.address === 'string' ? req.address : '', nonVoter: req.nonVoter === true }
}

/** The map version of an ack: a proposal's, so 1..MAP_VERSIONS.max. @throws InvalidArgumentError */
function ackVersion (version: unknown): number {
  if (typeof version !== 'number' || !inRange(MAP_VERSIONS, version) || version < 1) {
    throw new InvalidArgumentError(`an ack's map version must be a whole number in 1..${MAP_VERSIONS.max}`)
  }
  return version
}

export type { ManagementConnectionLimits, ManagementServerInit, ManagementServerTls, ResolvedManagementServerInit } from './server-init.js'
