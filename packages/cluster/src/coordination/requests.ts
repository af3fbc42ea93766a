import { AbortError, InvalidArgumentError, TimeoutError, throwIfAborted, type AbortOptions, type Clock } from '@clusterfunk/core'
import {
  ClientPool, HandlerFailedError, HandlersBusyError, NoHandlerError, UnknownNodeError, checkPayload, checkTopic, peerProofKey,
  type IncomingRequest, type ManagementClientTls
} from '@clusterfunk/management'
import { MESSAGING_DEFAULTS } from './messaging-constants.js'

/** What a request handler gets besides the payload. */
export interface RequestContext {
  readonly topic: string
  /** The node that asked (empty for an operator's funkctl). */
  readonly from: string
  /** Fires when the asker stops waiting (its timeout, its signal, or the node stopping). */
  readonly signal: AbortSignal
}

/** Answers requests of one topic: what it returns (bytes) goes back to the asker; what it throws reaches it as `HandlerFailedError`. */
export type RequestHandler = (payload: Uint8Array, context: RequestContext) => Uint8Array | Promise<Uint8Array>

/** Options of `Cluster.request`. */
export interface RequestOptions extends AbortOptions {
  /** How long to wait for the answer (ms). Default `MESSAGING_DEFAULTS.requestTimeoutMs`. */
  timeoutMs?: number
}

/** How a node reaches the others' management endpoints. */
export interface RequestsInit {
  clock: Clock
  /** This node's id. */
  nodeId: () => string
  /** The management endpoint (`host:port`) of a live member, or undefined. */
  endpointOf: (nodeId: string) => string | undefined
  token?: string | undefined
  tls?: ManagementClientTls | undefined
}

/**
 * Requests between members (EliasDB's DataRequest) over the management
 * channel: TLS when the cluster has it, and the cluster token proven by an
 * HMAC bound to each call (never sent: the address is gossip's word). A
 * request to this node itself runs its handler without the network.
 */
export class Requests {
  private readonly handlers = new Map<string, RequestHandler>()
  private running = 0
  private pool: ClientPool | undefined

  constructor (private readonly init: RequestsInit) {}

  /** Registers `handler` for `topic`, replacing any; returns a function that removes it. */
  handle (topic: string, handler: RequestHandler): () => void {
    checkTopic(topic)
    if (typeof handler !== 'function') throw new InvalidArgumentError('a handler is a function')
    this.handlers.set(topic, handler)
    return () => { if (this.handlers.get(topic) === handler) this.handlers.delete(topic) }
  }

  /**
   * Sends `payload` to `nodeId`'s handler for `topic` and resolves with its answer.
   * @throws UnknownNodeError when no live member has that id (or it publishes no management endpoint)
   * @throws NoHandlerError, HandlerFailedError, RequestTooLargeError, TimeoutError, AbortError
   */
  async request (nodeId: string, topic: string, payload: Uint8Array, options: RequestOptions = {}): Promise<Uint8Array> {
    checkTopic(topic)
    checkPayload(payload)
    throwIfAborted(options.signal)
    const timeoutMs = options.timeoutMs ?? MESSAGING_DEFAULTS.requestTimeoutMs
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidArgumentError('timeoutMs must be a positive number of milliseconds')
    const self = this.init.nodeId()
    if (nodeId === self) return await this.local({ topic, payload, from: self, timeoutMs }, options.signal)
    const address = this.init.endpointOf(nodeId)
    if (address === undefined) throw new UnknownNodeError(nodeId, `no live member ${nodeId} with a management endpoint`)
    return await this.clients().get(address).sendRequest(topic, payload, { from: self, timeoutMs, ...(options.signal === undefined ? {} : { signal: options.signal }) })
  }

  /** Runs this node's handler for an incoming request (the management server's `handleRequest`). */
  async serve (request: IncomingRequest, options: AbortOptions = {}): Promise<Uint8Array> {
    const handler = this.handlers.get(request.topic)
    if (handler === undefined) throw new NoHandlerError(request.topic, this.init.nodeId())
    if (this.running >= MESSAGING_DEFAULTS.maxConcurrentHandlers) throw new HandlersBusyError(MESSAGING_DEFAULTS.maxConcurrentHandlers)
    this.running++
    const controller = new AbortController()
    const onAbort = (): void => { controller.abort() }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const timer = request.timeoutMs > 0 ? this.init.clock.setTimeout(() => { controller.abort() }, request.timeoutMs) : undefined
    try {
      let answer: Uint8Array
      try {
        answer = await handler(request.payload, { topic: request.topic, from: request.from, signal: controller.signal })
      } catch (err) {
        throw new HandlerFailedError(`the handler for "${request.topic}" failed: ${err instanceof Error ? err.message : String(err)}`)
      }
      if (!(answer instanceof Uint8Array)) throw new HandlerFailedError(`the handler for "${request.topic}" returned no bytes`)
      return checkPayload(answer)
    } finally {
      this.running--
      if (timer !== undefined) this.init.clock.clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Closes the clients to other nodes (at stop); handlers stay registered. */
  close (): void {
    this.pool?.close()
    this.pool = undefined
  }

  private clients (): ClientPool {
    this.pool ??= new ClientPool({
      ...(this.init.token === undefined ? {} : { proofKey: peerProofKey(this.init.token) }),
      ...(this.init.tls === undefined ? {} : { tls: this.init.tls }),
      maxClients: MESSAGING_DEFAULTS.requestClients
    })
    return this.pool
  }

  /** A request to this node: its handler under the same rules and deadline, no network. */
  private async local (request: IncomingRequest, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const controller = new AbortController()
    const onAbort = (): void => { controller.abort() }
    signal?.addEventListener('abort', onAbort, { once: true })
    let timer: ReturnType<Clock['setTimeout']> | undefined
    try {
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = this.init.clock.setTimeout(() => { controller.abort(); reject(new TimeoutError(`no answer from ${request.topic} in ${request.timeoutMs} ms`)) }, request.timeoutMs)
        controller.signal.addEventListener('abort', () => { reject(signal?.aborted === true ? new AbortError() : new TimeoutError(`no answer from ${request.topic} in ${request.timeoutMs} ms`)) }, { once: true })
      })
      deadline.catch(() => {})
      return await Promise.race([this.serve(request, { signal: controller.signal }), deadline])
    } finally {
      if (timer !== undefined) this.init.clock.clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }
}
