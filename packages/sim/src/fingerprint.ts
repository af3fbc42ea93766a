/** A short, stable fingerprint of bytes for trace lines (32-bit FNV-1a, hex): enough to see that payloads differ. */
export function fingerprint (bytes: Uint8Array): string {
  let h = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] as number
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}
