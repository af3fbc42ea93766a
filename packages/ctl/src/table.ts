/** How a column is aligned: text left, numbers right. */
export type Align = 'left' | 'right'

/**
 * Lays rows out in aligned columns separated by two spaces, header first,
 * without trailing spaces; one string with a newline after every line.
 */
export function table (headers: readonly string[] | undefined, rows: ReadonlyArray<readonly string[]>, align: readonly Align[] = []): string {
  const all = headers === undefined ? rows : [headers, ...rows]
  const widths: number[] = []
  for (const row of all) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length) })
  return all.map(row => row.map((cell, i) => {
    const width = widths[i] ?? 0
    return align[i] === 'right' ? cell.padStart(width) : cell.padEnd(width)
  }).join('  ').trimEnd() + '\n').join('')
}

/** A share as `33.40%`. */
export function percent (value: number): string {
  return `${value.toFixed(2)}%`
}

/** A Unix-ms time as ISO 8601, or `-` for 0. */
export function time (ms: number): string {
  return ms > 0 ? new Date(ms).toISOString() : '-'
}
