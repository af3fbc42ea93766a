/** Defaults of the liveness checker and endpoint; every option is documented on its init type. */

/** How often each node is probed (ms). clusterfunk probed every 100–150 ms. */
export const DEFAULT_INTERVAL_MS = 100
/** Consecutive missed probes after which a node is dead (clusterfunk: 3). */
export const DEFAULT_RETRIES = 3
/** Timeout = multiplier × EMA of the RTT (clusterfunk: 5). */
export const DEFAULT_TIMEOUT_MULTIPLIER = 5
/** Lower bound of the adaptive timeout (ms); loopback RTTs are far below it. */
export const DEFAULT_MIN_TIMEOUT_MS = 10
/** Weight of a new RTT sample in the moving average (TCP's SRTT uses 1/8). */
export const RTT_SMOOTHING = 0.125
/** Secure by default: listen on loopback unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1'
/**
 * The checker wakes at most this often (ms) and sends every probe that fell
 * due since the last wake-up: one timer instead of one per node, and probes of
 * 1 000 nodes leave in ~20 small batches per interval instead of one burst.
 */
export const TICK_MS = 5
/** Histogram buckets for RTTs, in seconds as Prometheus asks (0.1 ms to 250 ms). */
export const RTT_BUCKETS_SECONDS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25]
/** Keyed endpoints: largest gap between a probe's send time and the endpoint's wall clock, either way (ms); covers clock skew. */
export const DEFAULT_MAX_PROBE_AGE_MS = 30_000
/** Keyed endpoints: checkers whose last probe is remembered (a leader's checker per term; a few at most in practice). */
export const DEFAULT_MAX_CHECKERS = 64

/**
 * A checker that was itself stalled waits for an outstanding probe at most
 * this many probe intervals longer, as Lifeguard caps its local health
 * multiplier: a starved checker slows its verdicts, it never stops them.
 */
export const MAX_STALL_WIDENING = 7
