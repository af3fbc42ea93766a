import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { InvalidArgumentError, InvalidConfigError } from '@clusterfunk/core'
import type { GrpcTlsInit } from '@clusterfunk/raft/grpc'
import { Keyring, type KeyInput } from '@clusterfunk/swim'
import type { ManagementClientTls, ManagementServerTls } from '@clusterfunk/management'

export { generateKey as generateGossipKey, type KeyInput } from '@clusterfunk/swim'

/**
 * PEM text: a Buffer or a string holding it, or the path of a file holding
 * it (a string without `-----BEGIN` is taken as a path and read once, when
 * the options are checked).
 */
export type PemInput = Buffer | string

/**
 * One TLS setting for every TCP/gRPC channel of a node: the Raft transport
 * (always mutual: peers must present a certificate `ca` signed), the
 * management server, and the clients a node opens to the leader (acks and
 * forwarded calls). Peers check a node's certificate against the address
 * they dial, so it must name the node's `host` (subjectAltName `IP:<host>`).
 */
export interface ClusterTlsInit {
  /** This node's certificate (chain), PEM. */
  cert: PemInput
  /** The certificate's private key, PEM, unencrypted. */
  key: PemInput
  /** The CA (PEM) that signed the cluster's certificates. Default `cert` itself: one self-signed certificate shared by every node. */
  ca?: PemInput
  /** Also require client certificates signed by `ca` on the management API (then `funkctl` needs one). Default false: the token authenticates callers. */
  mutual?: boolean
}

/** `ClusterTlsInit` read and checked. */
export interface ResolvedClusterTls {
  cert: Buffer
  key: Buffer
  ca: Buffer
  mutual: boolean
}

function readPem (option: string, value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value
  if (typeof value !== 'string' || value === '') throw new InvalidConfigError(option, 'must be PEM (a Buffer or string) or the path of a PEM file')
  if (value.includes('-----BEGIN')) return Buffer.from(value, 'utf8')
  try {
    return readFileSync(value)
  } catch (err) {
    throw new InvalidConfigError(option, `cannot read the PEM file ${value}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

function certificate (option: string, pem: Buffer): X509Certificate {
  // grpc-js wants PEM; X509Certificate would also take DER, so look for the armour first.
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new InvalidConfigError(option, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)')
  try {
    return new X509Certificate(pem)
  } catch (err) {
    throw new InvalidConfigError(option, `is not a valid PEM certificate: ${err instanceof Error ? err.message : String(err)}`)
  }
}

function privateKey (pem: Buffer): KeyObject {
  try {
    return createPrivateKey(pem)
  } catch (err) {
    throw new InvalidConfigError('tls.key', `is not an unencrypted PEM private key: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/**
 * Reads and checks the TLS option: a certificate and its own key, a CA, and
 * a certificate that names `host` — the mistakes that would otherwise show
 * up later as anonymous handshake failures between nodes.
 * @throws InvalidConfigError naming `tls` or the field at fault
 */
export function resolveTls (init: ClusterTlsInit | undefined, host: string): ResolvedClusterTls | undefined {
  if (init === undefined) return undefined
  if (typeof init !== 'object' || init === null) throw new InvalidConfigError('tls', 'must be { cert, key, ca?, mutual? }')
  if (init.cert === undefined) throw new InvalidConfigError('tls.cert', 'is required with tls: this node\'s certificate (PEM)')
  if (init.key === undefined) throw new InvalidConfigError('tls.key', 'is required with tls.cert: the certificate\'s private key (PEM)')
  if (init.mutual !== undefined && typeof init.mutual !== 'boolean') throw new InvalidConfigError('tls.mutual', 'must be true or false')
  const cert = readPem('tls.cert', init.cert)
  const key = readPem('tls.key', init.key)
  const ca = init.ca === undefined ? cert : readPem('tls.ca', init.ca)
  const x509 = certificate('tls.cert', cert)
  if (!x509.checkPrivateKey(privateKey(key))) throw new InvalidConfigError('tls.key', 'is not the private key of tls.cert')
  certificate('tls.ca', ca)
  if (x509.checkIP(host.replace(/^\[|\]$/g, '')) === undefined) {
    throw new InvalidConfigError('tls.cert', `does not name host ${host} (subjectAltName IP:${host}): peers check it against the address they dial`)
  }
  return { cert, key, ca, mutual: init.mutual === true }
}

/**
 * The gossip keyring of `keys` (primary first; 32-byte AES-256 keys, raw or
 * base64), or undefined for no gossip encryption.
 * @throws InvalidConfigError naming `gossipKeys`
 */
export function resolveGossipKeys (keys: readonly KeyInput[] | undefined): Keyring | undefined {
  if (keys === undefined) return undefined
  if (!Array.isArray(keys)) throw new InvalidConfigError('gossipKeys', 'must be a list of keys, the primary first')
  try {
    return new Keyring(keys)
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new InvalidConfigError('gossipKeys', `${err.message} (generateGossipKey() makes one)`)
    throw err
  }
}

/** The Raft transport's TLS: mutual, peers verified against `ca`. */
export function raftTls (tls: ResolvedClusterTls): GrpcTlsInit {
  return { cert: tls.cert, key: tls.key, ca: tls.ca }
}

/** The management server's TLS: forwarding trusts `ca`; with `mutual`, callers need a certificate `ca` signed. */
export function managementServerTls (tls: ResolvedClusterTls): ManagementServerTls {
  return { cert: tls.cert, key: tls.key, peerCa: tls.ca, ...(tls.mutual ? { clientCa: tls.ca } : {}) }
}

/** What a node's own clients to another node's management server use: trust `ca`, present this node's certificate when asked. */
export function managementClientTls (tls: ResolvedClusterTls): ManagementClientTls {
  return { ca: tls.ca, cert: tls.cert, key: tls.key }
}
