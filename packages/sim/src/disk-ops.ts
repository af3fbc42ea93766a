/** One key-value change inside a batch, as classic-level's `batch()` takes it. */
export type BatchOp = { type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }

/**
 * One logged write. Key-value writes are whole batches (a batch is atomic:
 * after a crash all of it survives or none). File writes carry whole
 * buffers, already copied.
 */
export type DiskOp =
  | { kind: 'batch', ops: BatchOp[] }
  | { kind: 'write', path: string, data: Uint8Array }
  | { kind: 'append', path: string, data: Uint8Array }
  | { kind: 'rename', from: string, to: string }
  | { kind: 'unlink', path: string }

/** The contents of a disk: the key-value store and the files. */
export interface DiskState {
  kv: Map<string, Uint8Array>
  files: Map<string, Uint8Array>
}

/** The key-value store is one write-ahead log: a sync flushes all of it. */
export const KV_STREAM = 'kv'

/**
 * The sync streams a write belongs to: the key-value log, or the file
 * paths it touches. A rename belongs to both of its paths.
 */
export function streamsOf (op: DiskOp): string[] {
  switch (op.kind) {
    case 'batch': return [KV_STREAM]
    case 'rename': return [`file:${op.from}`, `file:${op.to}`]
    default: return [`file:${op.path}`]
  }
}

/** Applies `op` to `state`. Values are shared, never mutated: callers copy on the way in and out. */
export function applyOp (state: DiskState, op: DiskOp): void {
  switch (op.kind) {
    case 'batch':
      for (const b of op.ops) {
        if (b.type === 'put') state.kv.set(b.key, b.value)
        else state.kv.delete(b.key)
      }
      return
    case 'write':
      state.files.set(op.path, op.data)
      return
    case 'append': {
      const old = state.files.get(op.path) ?? new Uint8Array(0)
      const joined = new Uint8Array(old.length + op.data.length)
      joined.set(old, 0)
      joined.set(op.data, old.length)
      state.files.set(op.path, joined)
      return
    }
    case 'rename': {
      const data = state.files.get(op.from)
      // A rename whose source never became durable renames nothing durable.
      if (data === undefined) return
      state.files.delete(op.from)
      state.files.set(op.to, data)
      return
    }
    case 'unlink':
      state.files.delete(op.path)
  }
}

/** A one-line description of `op` for the trace. */
export function describeOp (op: DiskOp): string {
  switch (op.kind) {
    case 'batch': return `batch ${op.ops.map(b => `${b.type}:${b.key}`).join(',')}`
    case 'write': return `write ${op.path} ${op.data.length}B`
    case 'append': return `append ${op.path} ${op.data.length}B`
    case 'rename': return `rename ${op.from} ${op.to}`
    case 'unlink': return `unlink ${op.path}`
  }
}

export function cloneState (state: DiskState): DiskState {
  return { kv: new Map(state.kv), files: new Map(state.files) }
}
