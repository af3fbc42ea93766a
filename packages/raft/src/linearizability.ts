/**
 * One operation of a concurrent history. `call` and `return` are positions
 * on one real-time axis (times, or better a sequence number recorded as
 * events happen, so that "returned before called" is exact). An operation
 * whose outcome is unknown (it timed out: it may or may not have taken
 * effect, now or later) has no `return` and no `output`.
 */
export interface Operation<I, O> {
  /** Who issued it (for messages only). */
  readonly client: number
  readonly input: I
  readonly call: number
  /** Absent when the outcome is unknown. */
  readonly return?: number
  /** What it returned; never `undefined` for a known outcome. */
  readonly output?: O
}

/**
 * A sequential specification. `step` says whether `input` may return
 * `output` from `state` and gives the next state; `output` is `undefined`
 * when the outcome is unknown (any output is acceptable then, the effect
 * still applies). `key` names a state for memoisation: equal keys must
 * mean equal states. `partition` may split a history into independent
 * sub-histories (P-compositionality, e.g. one per key).
 */
export interface Model<S, I, O> {
  init: () => S
  step: (state: S, input: I, output: O | undefined) => { ok: boolean, state: S }
  key: (state: S) => string
  partition?: (history: ReadonlyArray<Operation<I, O>>) => Array<Array<Operation<I, O>>>
  describe?: (op: Operation<I, O>) => string
}

/** `ok`: linearizable; `illegal`: not; `unknown`: the search hit `maxSteps` first. */
export type CheckVerdict = 'ok' | 'illegal' | 'unknown'

export interface CheckResult<I, O> {
  verdict: CheckVerdict
  /** Search steps taken over all partitions. */
  steps: number
  /**
   * Where it failed: for `illegal`, the shortest prefix (in call order) of
   * the first failing partition that is itself not linearizable, so its
   * last operations are where to look; for `unknown`, that partition.
   */
  failing?: ReadonlyArray<Operation<I, O>>
}

export interface CheckOptions {
  /** Search steps allowed over the whole history before giving up with `unknown`. Default 2 000 000. */
  maxSteps?: number
}

interface Node<I, O> {
  readonly id: number
  readonly call: boolean
  readonly op: Operation<I, O>
  match: Node<I, O> | undefined
  prev: Node<I, O> | undefined
  next: Node<I, O> | undefined
}

/** The call and return events of `ops` as a doubly linked list in real-time order, behind a sentinel. */
function eventList<I, O> (ops: ReadonlyArray<Operation<I, O>>): Node<I, O> {
  const events: Array<Node<I, O> & { at: number }> = []
  ops.forEach((op, id) => {
    const ret = { id, call: false, op, match: undefined, prev: undefined, next: undefined, at: op.return ?? Infinity }
    events.push({ id, call: true, op, match: ret, prev: undefined, next: undefined, at: op.call }, ret)
  })
  // At equal times calls go first (the operations overlap: the permissive reading), then by id.
  events.sort((a, b) => a.at !== b.at ? a.at - b.at : a.call !== b.call ? (a.call ? -1 : 1) : a.id - b.id)
  const head: Node<I, O> = { id: -1, call: false, op: undefined as unknown as Operation<I, O>, match: undefined, prev: undefined, next: undefined }
  let last = head
  for (const e of events) {
    e.prev = last
    last.next = e
    last = e
  }
  return head
}

function lift<I, O> (entry: Node<I, O>): void {
  (entry.prev as Node<I, O>).next = entry.next
  if (entry.next !== undefined) entry.next.prev = entry.prev
  const m = entry.match as Node<I, O>
  ;(m.prev as Node<I, O>).next = m.next
  if (m.next !== undefined) m.next.prev = m.prev
}

function unlift<I, O> (entry: Node<I, O>): void {
  const m = entry.match as Node<I, O>
  ;(m.prev as Node<I, O>).next = m
  if (m.next !== undefined) m.next.prev = m
  ;(entry.prev as Node<I, O>).next = entry
  if (entry.next !== undefined) entry.next.prev = entry
}

/**
 * Wing & Gong's search with Lowe's memoisation, as Porcupine does it: walk
 * the events in order; linearize the first pending call whose step is
 * legal and leads to a (set of linearized ops, state) not seen before;
 * on reaching a return whose call is not linearized yet, undo the last
 * choice. Exponential in the worst case, hence `budget`.
 */
function checkPartition<S, I, O> (model: Model<S, I, O>, ops: ReadonlyArray<Operation<I, O>>, budget: number): { verdict: CheckVerdict, steps: number } {
  const head = eventList(ops)
  const seen = new Set<string>()
  const calls: Array<{ entry: Node<I, O>, state: S }> = []
  let state = model.init()
  let linearized = 0n
  let steps = 0
  let entry = head.next
  while (head.next !== undefined && entry !== undefined) {
    if (++steps > budget) return { verdict: 'unknown', steps }
    if (entry.call) {
      const r = model.step(state, entry.op.input, entry.op.return === undefined ? undefined : entry.op.output)
      if (r.ok) {
        const bits = linearized | (1n << BigInt(entry.id))
        const key = `${bits.toString(36)}|${model.key(r.state)}`
        if (!seen.has(key)) {
          seen.add(key)
          calls.push({ entry, state })
          state = r.state
          linearized = bits
          lift(entry)
          entry = head.next
          continue
        }
      }
      entry = entry.next
    } else {
      const top = calls.pop()
      if (top === undefined) return { verdict: 'illegal', steps }
      entry = top.entry
      state = top.state
      linearized &= ~(1n << BigInt(entry.id))
      unlift(entry)
      entry = entry.next
    }
  }
  return { verdict: 'ok', steps }
}

/**
 * Checks that `history` is linearizable with respect to `model`: that
 * every operation can be given one instant between its call and return
 * (any instant after its call, for an unknown outcome, which also covers
 * "never took effect") at which the sequential `model` accepts it and its
 * output. Each partition is checked on its own.
 */
export function checkLinearizable<S, I, O> (model: Model<S, I, O>, history: ReadonlyArray<Operation<I, O>>, options: CheckOptions = {}): CheckResult<I, O> {
  let budget = options.maxSteps ?? 2_000_000
  let steps = 0
  for (const part of model.partition?.(history) ?? [[...history]]) {
    const r = checkPartition(model, part, budget)
    steps += r.steps
    budget -= r.steps
    if (r.verdict === 'unknown') return { verdict: r.verdict, steps, failing: part }
    if (r.verdict === 'illegal') return { verdict: r.verdict, steps, failing: shortestIllegalPrefix(model, part, budget) }
  }
  return { verdict: 'ok', steps }
}

/** The shortest prefix in call order that is not linearizable on its own (the whole partition if none shorter is found within budget). */
function shortestIllegalPrefix<S, I, O> (model: Model<S, I, O>, part: ReadonlyArray<Operation<I, O>>, budget: number): ReadonlyArray<Operation<I, O>> {
  const byCall = [...part].sort((a, b) => a.call - b.call)
  for (let n = 1; n < byCall.length && budget > 0; n++) {
    const r = checkPartition(model, byCall.slice(0, n), budget)
    budget -= r.steps
    if (r.verdict === 'illegal') return byCall.slice(0, n)
  }
  return part
}

/** An operation on a key-value register map. Values are strings; a missing key reads as `null`. */
export type KvInput =
  | { readonly op: 'get', readonly key: string }
  | { readonly op: 'put', readonly key: string, readonly value: string }
  | { readonly op: 'cas', readonly key: string, readonly expected: string | null, readonly value: string }

/** `get` returns the value (or `null`), `put` returns `true`, `cas` whether it swapped. */
export type KvOutput = string | null | boolean

/** The sequential specification of one key (histories are partitioned by key). */
export const kvModel: Model<string | null, KvInput, KvOutput> = {
  init: () => null,
  step: (state, input, output) => {
    switch (input.op) {
      case 'get': return { ok: output === undefined || output === state, state }
      case 'put': return { ok: output === undefined || output === true, state: input.value }
      case 'cas': {
        const swaps = state === input.expected
        return { ok: output === undefined || output === swaps, state: swaps ? input.value : state }
      }
    }
  },
  key: (state) => state === null ? '\u0000' : JSON.stringify(state),
  partition: (history) => {
    const byKey = new Map<string, Array<Operation<KvInput, KvOutput>>>()
    for (const op of history) {
      const list = byKey.get(op.input.key) ?? []
      list.push(op)
      byKey.set(op.input.key, list)
    }
    return [...byKey.values()]
  },
  describe: (op) => {
    const i = op.input
    const what = i.op === 'get' ? `get(${i.key})` : i.op === 'put' ? `put(${i.key}, ${i.value})` : `cas(${i.key}, ${String(i.expected)} -> ${i.value})`
    const out = op.return === undefined ? '?' : JSON.stringify(op.output)
    return `client ${op.client}: ${what} = ${out} [${op.call}, ${op.return ?? '∞'}]`
  }
}
