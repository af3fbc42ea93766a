/**
 * The AppendEntries messages in flight to one follower, by the last index
 * each carried: a sliding window of at most `capacity` messages. The leader
 * stops sending when the window is full and frees slots as acks arrive.
 */
export class Inflights {
  readonly capacity: number
  private readonly lastIndexes: number[] = []

  constructor (capacity: number) {
    this.capacity = capacity
  }

  get count (): number {
    return this.lastIndexes.length
  }

  full (): boolean {
    return this.lastIndexes.length >= this.capacity
  }

  /** Records a message whose last entry is `lastIndex` (indexes only grow). */
  add (lastIndex: number): void {
    if (this.full()) throw new Error('inflight window is full')
    this.lastIndexes.push(lastIndex)
  }

  /** Frees every message acknowledged by an ack of `index`. */
  freeLE (index: number): void {
    let n = 0
    while (n < this.lastIndexes.length && (this.lastIndexes[n] as number) <= index) n++
    if (n > 0) this.lastIndexes.splice(0, n)
  }

  /** Frees the oldest message (a heartbeat answer shows the follower is alive). */
  freeFirstOne (): void {
    this.lastIndexes.shift()
  }

  reset (): void {
    this.lastIndexes.length = 0
  }
}
