import { Client, Metadata, credentials, status as Code, type CallOptions, type ChannelCredentials, type VerifyOptions, type ClientReadableStream, type MethodDefinition, type ServiceError } from '@grpc/grpc-js'
import { InvalidConfigError, throwIfAborted, tlsTarget, type AbortOptions } from '@clusterfunk/core'
import { AUTHORIZATION_KEY, FORWARDED_KEY, isLoopback, parseHostPort } from './auth.js'
import { decodeEndpoints, decodeEvent, decodeNodes, decodeShards, decodeStatus, withFormat } from './codec.js'
import { PEER_PROOF_KEY, bodyDigest, signPeerProof } from './peer-proof.js'
import { managementMethod, type ManagementMethod, type Wire } from './proto.js'
import {
  decodeLockReply, decodeLocks, decodeStateChange, decodeStateRecord, decodeWriteReply, encodeLockRequest, encodeWriteRequest,
  type LockInfo, type LockReply, type LockRequest, type StateChange, type StateRecord, type StateWriteReply, type StateWriteRequest
} from './coordination.js'
import { MANAGEMENT_DEFAULTS } from './constants.js'
import { statusToError } from './status.js'
import type { AddNodeRequest, ClusterEvent, NodeEndpoint, NodeSummary, ShardSummary, StatusReply } from './types.js'
import {
  checkPayload, checkTopic, decodeMemberInfo, decodeQueryReply, encodeNodeRequest, encodeQueryRequest, wireBytes, wireU32,
  type MemberInfoEntry, type QueryReplyItem, type QueryRequestInit
} from './messaging.js'

/** TLS settings of a client. */
export interface ManagementClientTls {
  /** PEM of the CA(s) that signed the server's certificate. Default: the system's roots. */
  ca?: Buffer
  /** PEM certificate and key, when the server asks for client certificates. */
  cert?: Buffer
  key?: Buffer
  /** The name to check the server certificate against, when it differs from the host. */
  serverName?: string
}

/** Options of a `ManagementClient`. */
export interface ManagementClientInit {
  /** The management endpoint, `host:port`. */
  address: string
  /** The cluster token, sent as `authorization: Bearer <token>`. */
  token?: string
  /** Connect with TLS. */
  tls?: ManagementClientTls
  /** Deadline of each unary call (ms). Default 5 000. */
  timeoutMs?: number
  /** Allow sending the token without TLS to a non-loopback address (it travels in clear). Default false. */
  allowInsecureToken?: boolean
  /** Mark calls as forwarded by a follower (the server then never forwards them again). For the server's own use. */
  forwarded?: boolean
  /**
   * Prove the cluster token on each call with a peer proof made with this
   * key (`peerProofKey(token)`) instead of sending the token: what nodes use
   * to dial addresses learned from gossip, which may be forged. Replaces
   * `token`. For the cluster's own use.
   */
  proofKey?: Buffer
}

/** Per-call options. */
export interface CallOptionsInit extends AbortOptions {
  /** This call's deadline (ms), instead of the client's. */
  timeoutMs?: number
}


/** Requests are serialized before the call (a proof covers their bytes); grpc-js sends the bytes as they are. */
const identity = (body: Buffer): Buffer => body

/**
 * Typed access to a node's management API. Every method maps failures to
 * typed errors: `NotLeaderError` (with the leader hint), `UnauthenticatedError`,
 * `UnavailableError` (unreachable), `InvalidArgumentError`, `UnknownNodeError`,
 * `TimeoutError` (deadline), `AbortError`, `ManagementError` (anything else).
 * Followers forward leader-only calls themselves, so any node will do.
 */
export class ManagementClient {
  /** The endpoint this client talks to. */
  readonly address: string
  private readonly client: Client
  private readonly metadata: Metadata
  private readonly timeoutMs: number
  private readonly proofKey: Buffer | undefined

  /** @throws InvalidConfigError for an address that is not host:port, a bad timeout, or a token that would travel in clear */
  constructor (init: ManagementClientInit) {
    const target = parseHostPort(init.address)
    if (target === undefined) throw new InvalidConfigError('address', `"${init.address}" is not host:port`)
    this.timeoutMs = init.timeoutMs ?? MANAGEMENT_DEFAULTS.callTimeoutMs
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) throw new InvalidConfigError('timeoutMs', 'must be a positive number of milliseconds')
    if (init.token !== undefined && init.proofKey !== undefined) throw new InvalidConfigError('proofKey', 'replaces token: set one of them')
    if (init.token !== undefined && init.tls === undefined && !isLoopback(target.host) && init.allowInsecureToken !== true) {
      throw new InvalidConfigError('tls', 'a token to a non-loopback address needs TLS (or allowInsecureToken)')
    }
    this.address = init.address
    this.metadata = new Metadata()
    if (init.token !== undefined) this.metadata.set(AUTHORIZATION_KEY, `Bearer ${init.token}`)
    if (init.forwarded === true) this.metadata.set(FORWARDED_KEY, '1')
    this.proofKey = init.proofKey
    const dial = init.tls === undefined ? undefined : tlsTarget(init.address, init.tls.serverName)
    const options: Record<string, string | number> = { 'grpc.max_send_message_length': 1024 * 1024, ...dial?.channelOptions }
    this.client = new Client(init.address, this.credentials(init.tls, dial?.verify), options)
  }

  private credentials (tls: ManagementClientTls | undefined, verify: VerifyOptions | undefined): ChannelCredentials {
    if (tls === undefined) return credentials.createInsecure()
    return credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null, verify)
  }

  /** This node's status, with the caller's IP as the server saw it. */
  async status (options?: CallOptionsInit): Promise<StatusReply> {
    return decodeStatus(await this.unary('GetStatus', {}, options))
  }

  /** Every node of the cluster (answered by the leader). */
  async nodes (options?: CallOptionsInit): Promise<NodeSummary[]> {
    return decodeNodes(await this.unary('ListNodes', {}, options))
  }

  /** Adds a node to the Raft group (on the leader). */
  async addNode (request: AddNodeRequest, options?: CallOptionsInit): Promise<void> {
    await this.unary('AddNode', { id: request.id, address: request.address, nonVoter: request.nonVoter === true }, options)
  }

  /** Removes a node from the cluster (on the leader). */
  async removeNode (id: string, options?: CallOptionsInit): Promise<void> {
    await this.unary('RemoveNode', { id }, options)
  }

  /** Asks the leader to hand leadership to another voter. */
  async stepDown (options?: CallOptionsInit): Promise<void> {
    await this.unary('StepDown', {}, options)
  }

  /** Shards per node in the committed map. */
  async shards (options?: CallOptionsInit): Promise<ShardSummary> {
    return decodeShards(await this.unary('ListShards', {}, options))
  }

  /** Every endpoint of every node; with `filter`, only names containing it. */
  async endpoints (filter?: string, options?: CallOptionsInit): Promise<NodeEndpoint[]> {
    return decodeEndpoints(await this.unary('ListEndpoints', { filter: filter ?? '' }, options))
  }

  /** The nodes holding endpoint `name`. */
  async findEndpoint (name: string, options?: CallOptionsInit): Promise<NodeEndpoint[]> {
    return decodeEndpoints(await this.unary('FindEndpoint', { name }, options))
  }

  /**
   * Tells the leader that node `nodeId` applied the shard-map proposal
   * `version`. Never forwarded: a follower answers `NotLeaderError` naming
   * the leader it knows.
   */
  async ackShardMap (nodeId: string, version: number, options?: CallOptionsInit): Promise<void> {
    await this.unary('AckShardMap', { nodeId, version }, options)
  }

  /**
   * The node's events from now on, until `signal` fires (the iterator then
   * ends), the consumer stops reading, or the server stops (the iterator
   * ends). No deadline. Connection failures throw typed errors.
   */
  async * watch (options: AbortOptions = {}): AsyncGenerator<ClusterEvent, void, undefined> {
    for await (const message of this.serverStream('WatchEvents', {}, options)) {
      const event = decodeEvent(message)
      if (event !== undefined) yield event
    }
  }


  /** One key of the shared state (`consistent`: confirmed through the leader first). */
  async stateGet (key: string, options: CallOptionsInit & { consistent?: boolean } = {}): Promise<{ record: StateRecord | undefined, revision: number }> {
    const w = await this.unary('StateGet', { key, consistent: options.consistent === true }, options)
    return { record: w.found === true && w.record !== null && typeof w.record === 'object' ? decodeStateRecord(w.record as Wire) : undefined, revision: Number(w.revision ?? 0) }
  }

  /** The shared state's keys under `prefix`, sorted. */
  async stateList (prefix: string, options: CallOptionsInit & { consistent?: boolean } = {}): Promise<{ records: StateRecord[], revision: number }> {
    const w = await this.unary('StateList', { prefix, consistent: options.consistent === true }, options)
    return { records: (Array.isArray(w.records) ? w.records as Wire[] : []).map(decodeStateRecord), revision: Number(w.revision ?? 0) }
  }

  /** A put or delete of the shared state (answered by the leader); a CAS mismatch or a limit is an outcome, not an error. */
  async stateWrite (request: StateWriteRequest, options?: CallOptionsInit): Promise<StateWriteReply> {
    return decodeWriteReply(await this.unary('StateWrite', encodeWriteRequest(request), options))
  }

  /** A lock operation (answered by the leader). */
  async lockCall (request: LockRequest, options?: CallOptionsInit): Promise<LockReply> {
    return decodeLockReply(await this.unary('LockCall', encodeLockRequest(request), options))
  }

  /** Every lock held or waited for, as the node's replica has them. */
  async locks (options?: CallOptionsInit): Promise<LockInfo[]> {
    return decodeLocks(await this.unary('ListLocks', {}, options))
  }

  /**
   * Every write under `prefix` from `fromRevision` on (0: from the next),
   * in revision order, until `signal` fires (the iterator then ends) or the
   * server ends the stream. No deadline.
   */
  async * stateWatch (prefix: string, fromRevision: number, options: AbortOptions = {}): AsyncGenerator<StateChange, void, undefined> {
    for await (const message of this.serverStream('StateWatch', { prefix, fromRevision }, options)) yield decodeStateChange(message)
  }


  /**
   * Sends `payload` to the node's handler for `topic` and resolves with its
   * answer. `from` names the calling node (empty for an operator). Rejects
   * with `NoHandlerError`, `HandlerFailedError`, `RequestTooLargeError`,
   * `TimeoutError` (the deadline: `timeoutMs`), `AbortError`, or a
   * connection error.
   */
  async sendRequest (topic: string, payload: Uint8Array, options: CallOptionsInit & { from?: string } = {}): Promise<Uint8Array> {
    checkTopic(topic)
    checkPayload(payload)
    const timeoutMs = options.timeoutMs ?? this.timeoutMs
    const reply = await this.unary('Request', encodeNodeRequest({ topic, payload, from: options.from ?? '', timeoutMs: Math.min(Math.ceil(timeoutMs), 0xffff_ffff) }), options)
    return wireBytes(reply.payload)
  }

  /** Fires a user event from the node; resolves with its Lamport time. */
  async fireEvent (name: string, payload: Uint8Array, options: CallOptionsInit & { coalesce?: boolean } = {}): Promise<number> {
    const reply = await this.unary('FireEvent', { name, payload, coalesce: options.coalesce === true }, options)
    return wireU32(reply.ltime)
  }

  /** The member info of `nodeId`, or of every live node. */
  async memberInfo (nodeId?: string, options?: CallOptionsInit): Promise<MemberInfoEntry[]> {
    return decodeMemberInfo(await this.unary('GetMemberInfo', { nodeId: nodeId ?? '' }, options))
  }

  /** Runs a query from the node: its acks and responses as they come, until the query is over or `signal` fires. */
  async * query (init: QueryRequestInit, options: AbortOptions = {}): AsyncGenerator<QueryReplyItem, void, undefined> {
    for await (const message of this.serverStream('Query', encodeQueryRequest(init), options)) yield decodeQueryReply(message)
  }


  /** Closes the channel; calls in flight fail. */
  close (): void {
    this.client.close()
  }

  /**
   * The messages of a server-streaming call, as they come, until the server
   * ends the stream or `signal` fires (the iterator then ends quietly); a
   * failure becomes the typed error. Leaving the loop cancels the call.
   */
  private async * serverStream (name: ManagementMethod, request: Wire, options: AbortOptions): AsyncGenerator<Wire, void, undefined> {
    throwIfAborted(options.signal)
    const method = managementMethod(name)
    const { body, metadata } = this.request(method, request)
    const call: ClientReadableStream<Wire> = this.client.makeServerStreamRequest(method.path, identity, method.responseDeserialize, body, metadata, {})
    const onAbort = (): void => { call.cancel() }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      yield * (call as AsyncIterable<Wire>)
    } catch (err) {
      if ((err as Partial<ServiceError>).code === Code.CANCELLED && options.signal?.aborted === true) return
      throw statusToError(err, this.address)
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
      call.cancel()
    }
  }

  /** The request's bytes and the call's metadata, with a peer proof bound to both when this client proves the token. */
  private request (method: MethodDefinition<Wire, Wire>, request: Wire): { body: Buffer, metadata: Metadata } {
    const body = method.requestSerialize(withFormat(request))
    const metadata = this.metadata.clone()
    if (this.proofKey !== undefined) {
      metadata.set(PEER_PROOF_KEY, signPeerProof(this.proofKey, { path: method.path, audience: this.address, bodyDigest: bodyDigest(body) }, Date.now()))
    }
    return { body, metadata }
  }

  private async unary (name: ManagementMethod, request: Wire, options: CallOptionsInit = {}): Promise<Wire> {
    throwIfAborted(options.signal)
    const method = managementMethod(name)
    const callOptions: CallOptions = { deadline: Date.now() + (options.timeoutMs ?? this.timeoutMs) }
    const { body, metadata } = this.request(method, request)
    return await new Promise<Wire>((resolve, reject) => {
      const call = this.client.makeUnaryRequest(method.path, identity, method.responseDeserialize,
        body, metadata, callOptions, (err, value) => {
          options.signal?.removeEventListener('abort', onAbort)
          if (err !== null || value === undefined) reject(statusToError(err ?? new Error('empty response'), this.address))
          else resolve(value)
        })
      const onAbort = (): void => { call.cancel() }
      options.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}
