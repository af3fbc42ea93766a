/**
 * A copy of `bytes` that shares no memory with them. (`slice()` is no such
 * thing for a Buffer: `Buffer.prototype.slice` returns a view.)
 */
export function copyBytes (bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return copy
}
