import { isIP } from 'node:net'
import { InvalidArgumentError, InvalidConfigError, type Clock, type Logger, type Metrics, type PacketPorts, type Random, type StreamPorts } from '@clusterfunk/core'
import { isUnspecified, parseAddress } from './address.js'
import { MAX_NAME_BYTES } from './codec.js'
import { lanConfig, localConfig, swimConfig, wanConfig, type SwimConfig } from './config.js'
import { ENCRYPTION_OVERHEAD_BYTES, Keyring, labelBytes, type KeyInput, type NonceSource } from './keyring.js'
import { freshnessReserve } from './freshness.js'
import { tagsSize, type Tags } from './messages.js'
import { DEFAULT_HOST, DEFAULT_MAX_CONCURRENT_PUSH_PULLS, DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_MAX_MESSAGE_AGE_MS, DEFAULT_MAX_STREAMS_PER_ADDRESS, DEFAULT_PORT, DEFAULT_REPLAY_WINDOW, DEFAULT_STREAM_IDLE_TIMEOUT_MS } from './constants.js'

/** The timing presets by name (memberlist's LAN, WAN and Local configs). */
export type SwimPreset = 'lan' | 'wan' | 'local'
const presets: Record<SwimPreset, Readonly<SwimConfig>> = { lan: lanConfig, wan: wanConfig, local: localConfig }

/** What a `Swim` node takes from outside. Every field is optional. */
export interface SwimComponents {
  /** Default `systemClock`. Its timers drive probing and gossip. */
  clock?: Clock
  /** Default `createRandom()`: probe order, gossip targets, staggering. */
  random?: Random
  logger?: Logger
  metrics?: Metrics
  /** Where the UDP socket comes from. Default `udpPorts` (real UDP); a simulation passes its host's. */
  packets?: PacketPorts
  /** Where the TCP listener and connections come from. Default `tcpPorts`; a simulation passes its host's. */
  streams?: StreamPorts
  /** Where GCM nonces come from when encrypting. Default the CSPRNG; a seeded source for deterministic simulation only. */
  nonces?: NonceSource
}

/** Options of a `Swim` node. Only `id` is required. */
export interface SwimInit {
  /** This node's name, unique in the cluster (at most 512 UTF-8 bytes). */
  id: string
  /** IP literal to bind, UDP and TCP. Default `127.0.0.1`. */
  host?: string
  /** Port to bind, UDP and TCP alike; 0 picks a free one. Default 7946. */
  port?: number
  /** `host:port` others reach this node at; default the bound host and port. Required when binding a wildcard address. */
  advertiseAddress?: string
  /** Serf-style tags to publish (at most `maxTagsBytes`, 4 KiB by default). */
  tags?: Tags | Record<string, string>
  /** Timing preset. Default `'lan'`. */
  preset?: SwimPreset
  /** Fields overriding the preset (see `SwimConfig`). */
  config?: Partial<SwimConfig>
  /** Gossip encryption keys (32 bytes or base64); the first is the primary. Or pass a `keyring`. */
  keys?: readonly KeyInput[]
  /** A keyring to share with the caller, for rotation at runtime. Exclusive with `keys`. */
  keyring?: Keyring
  /** Authenticated with every message; nodes with different labels cannot talk. Needs encryption. */
  label?: string
  /** Inbound push/pull exchanges served at once. Default 128. */
  maxConcurrentPushPulls?: number
  /** Inbound TCP connections open at once; more are closed on accept. Default 1 024. */
  maxConcurrentStreams?: number
  /** Inbound TCP connections open at once from one remote address. Default 256. */
  maxStreamsPerAddress?: number
  /** An inbound TCP connection idle (no byte either way) this long is closed (ms), 100..600 000. Default 5 000. */
  streamIdleTimeoutMs?: number
  /** Sealed traffic: sequence numbers remembered per sender, 64..65 536. Default 1 024. */
  replayWindow?: number
  /** Sealed traffic: largest gap between a message's send time and this node's wall clock (ms), 1 000..600 000. Default 30 000. */
  maxMessageAgeMs?: number
}

/** Init after validation, with defaults applied. */
export interface ResolvedSwimInit {
  id: string
  host: string
  port: number
  advertiseAddress: string | undefined
  tags: Map<string, string>
  /** The protocol config, with the encryption overhead reserved in `packetOverheadBytes`. */
  config: SwimConfig
  keyring: Keyring | undefined
  label: string | undefined
  maxConcurrentPushPulls: number
  maxConcurrentStreams: number
  maxStreamsPerAddress: number
  streamIdleTimeoutMs: number
  replayWindow: number
  maxMessageAgeMs: number
}

function checkInteger (option: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new InvalidConfigError(option, `must be an integer in ${min}..${max}`)
  return v
}

/** Tags as a map of strings; throws `InvalidConfigError` naming `option`. */
export function checkTags (option: string, tags: unknown, maxBytes: number): Map<string, string> {
  if (tags === undefined) return new Map()
  if (typeof tags !== 'object' || tags === null) throw new InvalidConfigError(option, 'must be a Map or a record of strings')
  const map = tags instanceof Map ? new Map(tags as Map<unknown, unknown>) : new Map(Object.entries(tags))
  for (const [k, v] of map) {
    if (typeof k !== 'string' || typeof v !== 'string') throw new InvalidConfigError(option, 'keys and values must be strings')
  }
  const result = map as Map<string, string>
  if (tagsSize(result) > maxBytes) throw new InvalidConfigError(option, `must total at most ${maxBytes} UTF-8 bytes`)
  return result
}

function keyringOf (init: SwimInit): Keyring | undefined {
  if (init.keys !== undefined && init.keyring !== undefined) throw new InvalidConfigError('keys', 'give keys or a keyring, not both')
  if (init.keyring !== undefined) {
    if (!(init.keyring instanceof Keyring)) throw new InvalidConfigError('keyring', 'must be a Keyring')
    return init.keyring
  }
  if (init.keys === undefined) return undefined
  try {
    return new Keyring(init.keys)
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new InvalidConfigError('keys', err.message)
    throw err
  }
}

/** Validates `init` and applies defaults. Throws `InvalidConfigError` naming the option at fault. */
export function resolveSwimInit (init: SwimInit): ResolvedSwimInit {
  if (typeof init !== 'object' || init === null) throw new InvalidConfigError('id', 'is required')
  if (typeof init.id !== 'string' || init.id === '') throw new InvalidConfigError('id', 'must be a non-empty string')
  if (Buffer.byteLength(init.id, 'utf8') > MAX_NAME_BYTES) throw new InvalidConfigError('id', `must be at most ${MAX_NAME_BYTES} UTF-8 bytes`)
  const host = init.host ?? DEFAULT_HOST
  if (typeof host !== 'string' || isIP(host) === 0) throw new InvalidConfigError('host', 'must be an IP literal such as 127.0.0.1')
  const port = checkInteger('port', init.port ?? DEFAULT_PORT, 0, 65535)
  if (init.advertiseAddress !== undefined) {
    const a = parseAddress(init.advertiseAddress)
    if (a === undefined || isUnspecified(a.host)) throw new InvalidConfigError('advertiseAddress', 'must be host:port with a specific IP literal and a port in 1..65535')
  } else if (isUnspecified(host)) {
    throw new InvalidConfigError('advertiseAddress', `is required when binding the wildcard address ${host}`)
  }
  const preset = init.preset ?? 'lan'
  if (!Object.hasOwn(presets, preset)) throw new InvalidConfigError('preset', "must be 'lan', 'wan' or 'local'")
  if (init.config !== undefined && (typeof init.config !== 'object' || init.config === null)) throw new InvalidConfigError('config', 'must be an object of SwimConfig fields')
  for (const key of Object.keys(init.config ?? {})) {
    if (!Object.hasOwn(lanConfig, key)) throw new InvalidConfigError(key, 'is not a SwimConfig field')
  }
  const keyring = keyringOf(init)
  if (init.label !== undefined) {
    if (keyring === undefined) throw new InvalidConfigError('label', 'needs encryption: give keys or a keyring too')
    try {
      labelBytes(init.label)
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw new InvalidConfigError('label', err.message)
      throw err
    }
  }
  const overrides = { ...(init.config ?? {}) }
  const base = swimConfig(presets[preset], overrides)
  // Sealed datagrams carry the encryption and a freshness header (replay protection) inside the budget.
  const overhead = keyring === undefined ? 0 : ENCRYPTION_OVERHEAD_BYTES + freshnessReserve(init.id)
  const config = swimConfig(base, { packetOverheadBytes: base.packetOverheadBytes + overhead })
  return {
    id: init.id,
    host,
    port,
    advertiseAddress: init.advertiseAddress,
    tags: checkTags('tags', init.tags, config.maxTagsBytes),
    config,
    keyring,
    label: init.label,
    maxConcurrentPushPulls: checkInteger('maxConcurrentPushPulls', init.maxConcurrentPushPulls ?? DEFAULT_MAX_CONCURRENT_PUSH_PULLS, 1, 65_536),
    maxConcurrentStreams: checkInteger('maxConcurrentStreams', init.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS, 1, 65_536),
    maxStreamsPerAddress: checkInteger('maxStreamsPerAddress', init.maxStreamsPerAddress ?? DEFAULT_MAX_STREAMS_PER_ADDRESS, 1, 65_536),
    streamIdleTimeoutMs: checkInteger('streamIdleTimeoutMs', init.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS, 100, 600_000),
    replayWindow: checkInteger('replayWindow', init.replayWindow ?? DEFAULT_REPLAY_WINDOW, 64, 65_536),
    maxMessageAgeMs: checkInteger('maxMessageAgeMs', init.maxMessageAgeMs ?? DEFAULT_MAX_MESSAGE_AGE_MS, 1000, 600_000)
  }
}
