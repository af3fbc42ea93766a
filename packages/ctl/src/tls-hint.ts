import { UnavailableError } from '@clusterfunk/management'
import { UnreachableError, oneLine } from './exit-codes.js'

/**
 * An unreachable node, with what to check: a TLS node dialled without
 * `--tls-ca` only says "failed to connect", and a CA that does not sign
 * the node's certificate says "self-signed certificate"; both name the
 * flag to fix. Other errors pass through unchanged.
 */
export function withTlsHint (err: unknown, tlsCa: string | undefined): unknown {
  if (!(err instanceof UnavailableError)) return err
  const message = oneLine(err.message)
  // Nothing listens, or the name does not resolve: TLS has nothing to do with it.
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH/.test(message)) return err
  if (tlsCa === undefined) {
    return new UnreachableError(`${message} (if the cluster uses TLS, pass --tls-ca <ca.pem> or set FUNKCTL_TLS_CA; else check --endpoint and that the node runs)`)
  }
  if (/certificate|self.signed|SSL|TLS|handshake/i.test(message)) {
    return new UnreachableError(`${message} (the node's TLS certificate is not signed by --tls-ca ${tlsCa}: pass the CA certificate that signed it)`)
  }
  return new UnreachableError(`${message} (connecting with TLS because of --tls-ca ${tlsCa}: if the node does not use TLS, drop --tls-ca; else check --endpoint and that the node runs)`)
}
