import { InvalidConfigError } from '@clusterfunk/core'
import { isLoopback } from './auth.js'
import { DEFAULT_CONNECTION_LIMITS, DEFAULT_WATCH_LIMITS, MANAGEMENT_DEFAULTS } from './constants.js'
import type { WatchLimits } from './watch.js'

/** TLS of the management server. */
export interface ManagementServerTls {
  /** PEM certificate chain and private key of this server. */
  cert: Buffer
  key: Buffer
  /** PEM CA: when set, clients must present a certificate it signed. */
  clientCa?: Buffer
  /** PEM CA trusted when forwarding to the leader. Default `cert` itself (one self-signed cluster certificate). */
  peerCa?: Buffer
}

/** Options of a `ManagementServer`; every one optional. */
export interface ManagementServerInit {
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string
  /** Port; 0 (the default) takes a free one, see `address()`. */
  port?: number
  /** Cluster token every call must carry as `authorization: Bearer <token>`. Default none. */
  token?: string
  /** Serve TLS. Default plaintext. */
  tls?: ManagementServerTls
  /** Allow a token over plaintext on a non-loopback address (it travels in clear). Default false. */
  allowInsecureToken?: boolean
  /** Deadline of a call forwarded to the leader (ms). Default 5 000. */
  forwardTimeoutMs?: number
  /** How long `stop()` waits for calls to finish before cutting them (ms). Default 2 000. */
  shutdownTimeoutMs?: number
  /** Most WatchEvents streams open at once; more are refused with RESOURCE_EXHAUSTED. Default 64. */
  maxWatchers?: number
  /** Most WatchEvents streams open at once over one client connection. Default 8. */
  maxWatchersPerClient?: number
  /** Most WatchEvents streams open at once from one IP address. Default 16. */
  maxWatchersPerAddress?: number
  /** Connection caps and timeouts of the port; see `ManagementConnectionLimits` for the defaults. */
  connections?: Partial<ManagementConnectionLimits>
  /** A WatchEvents stream whose consumer has not taken what was sent for this long is ended with RESOURCE_EXHAUSTED (ms). Default 10 000. */
  watchStallMs?: number
}

/** The bounds on the management port's connections. */
export interface ManagementConnectionLimits {
  /** Connections open at once; more are closed on accept (counted). Default 256. */
  maxConnections: number
  /** Connections open at once from one IP address. Default 64. */
  maxConnectionsPerAddress: number
  /** A connection with no byte either way for this long is closed (ms). Default 120 000. */
  idleTimeoutMs: number
  /** An HTTP/2 session with no call for this long is closed (ms). Default 60 000. */
  sessionIdleMs: number
  /** Calls open at once on one connection. Default 32. */
  maxStreamsPerConnection: number
  /** Memory one HTTP/2 session may buffer (MiB); past it new calls are refused. Default 4. */
  maxSessionMemoryMb: number
}

/** A server's options with every default applied and checked: what the server runs on. */
export interface ResolvedManagementServerInit {
  readonly host: string
  readonly port: number
  readonly token: string | undefined
  readonly tls: ManagementServerTls | undefined
  readonly forwardTimeoutMs: number
  readonly shutdownTimeoutMs: number
  readonly watch: WatchLimits
  readonly connections: ManagementConnectionLimits
}

function definedOnly<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * Applies the defaults (`MANAGEMENT_DEFAULTS`, `DEFAULT_WATCH_LIMITS`,
 * `DEFAULT_CONNECTION_LIMITS`) and checks every option.
 * @throws InvalidConfigError naming the first bad option
 */
export function resolveServerInit (init: ManagementServerInit): ResolvedManagementServerInit {
  const host = init.host ?? MANAGEMENT_DEFAULTS.host
  const port = init.port ?? MANAGEMENT_DEFAULTS.port
  if (host === '') throw new InvalidConfigError('host', 'must be an address to listen on, such as 127.0.0.1')
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidConfigError('port', 'must be an integer in 0..65535')
  if (init.token === '') throw new InvalidConfigError('token', 'must not be empty')
  if (init.token !== undefined && init.tls === undefined && !isLoopback(host) && init.allowInsecureToken !== true) {
    throw new InvalidConfigError('tls', 'a token on a non-loopback address needs TLS (or allowInsecureToken)')
  }
  const connections: ManagementConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...definedOnly(init.connections ?? {}) }
  for (const [option, value] of Object.entries(connections)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidConfigError(`connections.${option}`, 'must be a positive whole number')
  }
  const resolved: ResolvedManagementServerInit = {
    host,
    port,
    token: init.token,
    tls: init.tls,
    forwardTimeoutMs: init.forwardTimeoutMs ?? MANAGEMENT_DEFAULTS.forwardTimeoutMs,
    shutdownTimeoutMs: init.shutdownTimeoutMs ?? MANAGEMENT_DEFAULTS.shutdownTimeoutMs,
    watch: {
      maxWatchers: init.maxWatchers ?? DEFAULT_WATCH_LIMITS.maxWatchers,
      maxPerClient: init.maxWatchersPerClient ?? DEFAULT_WATCH_LIMITS.maxPerClient,
      maxPerAddress: init.maxWatchersPerAddress ?? DEFAULT_WATCH_LIMITS.maxPerAddress,
      stallMs: init.watchStallMs ?? DEFAULT_WATCH_LIMITS.stallMs
    },
    connections
  }
  const { watch } = resolved
  for (const [option, value] of [
    ['shutdownTimeoutMs', resolved.shutdownTimeoutMs], ['forwardTimeoutMs', resolved.forwardTimeoutMs], ['maxWatchers', watch.maxWatchers],
    ['maxWatchersPerClient', watch.maxPerClient], ['maxWatchersPerAddress', watch.maxPerAddress], ['watchStallMs', watch.stallMs]
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) throw new InvalidConfigError(option, 'must be a positive number')
  }
  return resolved
}
