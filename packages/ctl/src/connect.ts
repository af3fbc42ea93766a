import { readFile } from 'node:fs/promises'
import { isIPv4 } from 'node:net'
import { InvalidConfigError } from '@clusterfunk/core'
import { ManagementClient, browsePeers, joinHostPort, type ZeroconfPeer } from '@clusterfunk/management'
import { NoEndpointError, UsageError } from './exit-codes.js'
import type { CtlIo } from './io.js'
import { DISCOVER_MS, type GlobalOptions } from './options.js'

/**
 * The real zeroconf browse: mDNS on the LAN, browse only (the run tests inject
 * theirs; the management package tests this one against a publishing node).
 */
export async function browse (clusterName: string, timeoutMs: number): Promise<ZeroconfPeer[]> {
  return await browsePeers({}, { clusterName }, { timeoutMs })
}

/** The management endpoint of a record: its first IPv4 address (else its first), with its port. */
export function peerEndpoint (peer: ZeroconfPeer): string | undefined {
  const address = peer.addresses.find(a => isIPv4(a)) ?? peer.addresses[0]
  return address === undefined ? undefined : joinHostPort(address, peer.port)
}

/**
 * The endpoint to talk to: `--endpoint` (or FUNKCTL_ENDPOINT), else the
 * first `mgmt` record of `--cluster` that zeroconf finds in about a second.
 * Any node will do: followers forward what only the leader answers.
 * @throws UsageError when neither is given; NoEndpointError when zeroconf finds none
 */
export async function resolveEndpoint (options: GlobalOptions, io: CtlIo): Promise<string> {
  if (options.endpoint !== undefined) return options.endpoint
  if (options.cluster === undefined) throw new UsageError('no endpoint: pass --endpoint host:port, or --cluster <name> to find one by zeroconf')
  const peers = await (io.discover ?? browse)(options.cluster, DISCOVER_MS)
  const found = peers.filter(p => p.kind === 'mgmt').sort((a, b) => a.nodeId < b.nodeId ? -1 : 1).map(peerEndpoint).find(e => e !== undefined)
  if (found === undefined) throw new NoEndpointError(`no management endpoint of cluster ${options.cluster} found by zeroconf in ${DISCOVER_MS / 1000} s; pass --endpoint host:port`)
  return found
}

/** A PEM file holds at least one certificate block. */
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/

/**
 * Reads `--tls-ca`: a PEM certificate, else a `UsageError` saying what the
 * file must hold (grpc-js would only say "self-signed certificate" later).
 */
export async function readCa (file: string, io: CtlIo): Promise<Buffer> {
  let ca: Buffer
  try {
    ca = await (io.readFile ?? readFile)(file)
  } catch (err) {
    throw new UsageError(`cannot read --tls-ca ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (!PEM_CERTIFICATE.test(ca.toString('latin1'))) {
    throw new UsageError(`--tls-ca ${file} holds no PEM certificate (a block from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----): pass the CA certificate that signed the cluster's TLS certificates`)
  }
  return ca
}

/** A client for `address` (default: the resolved endpoint), with the token, TLS and deadline of the options. */
export async function connect (options: GlobalOptions, io: CtlIo, address?: string): Promise<ManagementClient> {
  const target = address ?? await resolveEndpoint(options, io)
  const ca = options.tlsCa === undefined ? undefined : await readCa(options.tlsCa, io)
  try {
    return new ManagementClient({
      address: target,
      timeoutMs: options.timeoutMs,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(ca === undefined ? {} : { tls: { ca } }),
      allowInsecureToken: options.insecure
    })
  } catch (err) {
    if (err instanceof InvalidConfigError && err.option === 'tls') {
      throw new UsageError(`refusing to send the token in clear to the non-loopback address ${target}: pass --tls-ca <ca.pem> to connect with TLS, or --insecure to send it without TLS anyway`)
    }
    throw err
  }
}
