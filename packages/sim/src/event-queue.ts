/** One scheduled callback in an `EventQueue`. */
export interface QueuedEvent {
  /** Virtual time at which the event is due. */
  readonly at: number
  /** Scheduling order: breaks ties between events due at the same time. */
  readonly seq: number
  readonly run: () => void
  /** Shown in the trace when the event runs; undefined events are not traced. */
  readonly label?: string
  /** The node the event belongs to, for the trace. */
  readonly node?: string
  cancelled: boolean
  /** The queue holding the event, so a foreign handle cannot corrupt another queue's count. */
  owner?: EventQueue
}

function before (a: QueuedEvent, b: QueuedEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

/**
 * A binary min-heap of events ordered by (due time, scheduling sequence).
 * Sequences are unique, so the order is total: two runs that schedule the
 * same events in the same order pop them in the same order, whatever the
 * heap's internal layout. Cancelled events are removed lazily when they
 * reach the top, which keeps `cancel` O(1).
 */
export class EventQueue {
  private readonly heap: QueuedEvent[] = []
  private live = 0

  /** Events scheduled and neither run nor cancelled. */
  get size (): number {
    return this.live
  }

  push (event: QueuedEvent): void {
    event.owner = this
    this.heap.push(event)
    this.live++
    this.up(this.heap.length - 1)
  }

  /** Marks an event cancelled; a no-op when it already ran, was cancelled, or belongs to another queue. */
  cancel (event: QueuedEvent): void {
    if (event.owner !== this || event.cancelled) return
    event.cancelled = true
    this.live--
  }

  /** The next live event without removing it. */
  peek (): QueuedEvent | undefined {
    this.dropCancelled()
    return this.heap[0]
  }

  /** Removes and returns the next live event; it counts as no longer pending. */
  pop (): QueuedEvent | undefined {
    this.dropCancelled()
    const top = this.removeTop()
    if (top === undefined) return undefined
    // Marked so that a later clearTimeout on a handle that already ran is a no-op.
    top.cancelled = true
    this.live--
    return top
  }

  private dropCancelled (): void {
    while (this.heap.length > 0 && (this.heap[0] as QueuedEvent).cancelled) this.removeTop()
  }

  private removeTop (): QueuedEvent | undefined {
    const top = this.heap[0]
    const last = this.heap.pop()
    if (top === undefined || last === undefined) return undefined
    if (this.heap.length > 0) {
      this.heap[0] = last
      this.down(0)
    }
    return top
  }

  private up (index: number): void {
    const heap = this.heap
    const item = heap[index] as QueuedEvent
    let i = index
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent] as QueuedEvent
      if (!before(item, p)) break
      heap[i] = p
      i = parent
    }
    heap[i] = item
  }

  private down (index: number): void {
    const heap = this.heap
    const n = heap.length
    const item = heap[index] as QueuedEvent
    let i = index
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      let child = left
      if (right < n && before(heap[right] as QueuedEvent, heap[left] as QueuedEvent)) child = right
      const c = heap[child] as QueuedEvent
      if (!before(c, item)) break
      heap[i] = c
      i = child
    }
    heap[i] = item
  }
}
