/** What `/ready` reports: ready when the node is Operational. */
export interface Readiness {
  ready: boolean
  /** Small JSON-able facts said with it (state, role, node id, leader). */
  detail: Record<string, string | number | boolean | undefined>
}

/** Where the metrics server learns whether the node is ready. */
export type ReadinessProbe = () => Readiness

/** The body of `/health`: the process is up and serving HTTP. */
export const HEALTH_BODY = '{"status":"up"}\n'

/** The JSON body of `/ready` (status 200 when ready, 503 otherwise, as Kubernetes probes read it). */
export function readinessBody (r: Readiness): string {
  return `${JSON.stringify({ ready: r.ready, ...r.detail })}\n`
}
