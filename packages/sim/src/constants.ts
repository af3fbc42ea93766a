/** Virtual time at which a simulation starts, in ms. */
export const DEFAULT_START_MS = 0
/** `wallNow()` at virtual time 0: a fixed instant, so traces that print wall times are reproducible. */
export const DEFAULT_WALL_ORIGIN_MS = 1_700_000_000_000
/** Events one run call may execute before it is taken for a livelock and stopped. */
export const DEFAULT_MAX_EVENTS_PER_RUN = 10_000_000

/** One-way packet latency when none is configured, in ms (a LAN). */
export const DEFAULT_LATENCY = { minMs: 1, maxMs: 5 } as const
/** Largest UDP payload over IPv4. */
export const DEFAULT_MAX_PACKET_BYTES = 65_507
/** Extra delay a reordered packet gets at most, in ms. */
export const DEFAULT_REORDER_MAX_EXTRA_MS = 20

/** How long a connect across a partition waits before `ETIMEDOUT`, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000

/** Seeds `runSeeds` runs when neither the caller nor the environment says. */
export const DEFAULT_SEEDS = 20
/** Real-time budget of `runSeeds`, in ms, when neither the caller nor the environment says. */
export const DEFAULT_SEED_BUDGET_MS = 5_000
/** First seed `runSeeds` uses. */
export const DEFAULT_FIRST_SEED = 1
/** Trace lines quoted in a seed failure's message. */
export const DEFAULT_FAILURE_TRACE_LINES = 20
