import { RespProtocolError } from './errors.js'

const ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, a: 7, '\\': 92, '"': 34 }

function isSpace (c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12
}

function hexValue (c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

/**
 * Splits an inline command line into arguments as Redis does (sdssplitargs):
 * whitespace separates, "double quotes" take \n \r \t \b \a \\ \" and \xHH
 * escapes, 'single quotes' take \', and a closing quote must be followed by
 * whitespace or the end of the line.
 */
export function splitInlineArgs (line: Buffer): Buffer[] {
  const args: Buffer[] = []
  let i = 0
  const n = line.length
  while (true) {
    while (i < n && isSpace(line[i] as number)) i++
    if (i >= n) return args
    const out: number[] = []
    let quote = 0
    let done = false
    while (!done) {
      if (i >= n) {
        if (quote !== 0) throw new RespProtocolError('unbalanced quotes in request')
        break
      }
      const c = line[i] as number
      if (quote === 34) {
        if (c === 92 && i + 3 < n && line[i + 1] === 120 && hexValue(line[i + 2] as number) >= 0 && hexValue(line[i + 3] as number) >= 0) {
          out.push(hexValue(line[i + 2] as number) * 16 + hexValue(line[i + 3] as number))
          i += 4
        } else if (c === 92 && i + 1 < n) {
          const e = String.fromCharCode(line[i + 1] as number)
          out.push(ESCAPES[e] ?? (line[i + 1] as number))
          i += 2
        } else if (c === 34) {
          if (i + 1 < n && !isSpace(line[i + 1] as number)) throw new RespProtocolError('unbalanced quotes in request')
          i++
          done = true
        } else {
          out.push(c)
          i++
        }
      } else if (quote === 39) {
        if (c === 92 && i + 1 < n && line[i + 1] === 39) {
          out.push(39)
          i += 2
        } else if (c === 39) {
          if (i + 1 < n && !isSpace(line[i + 1] as number)) throw new RespProtocolError('unbalanced quotes in request')
          i++
          done = true
        } else {
          out.push(c)
          i++
        }
      } else if (isSpace(c)) {
        done = true
      } else if ((c === 34 || c === 39) && out.length === 0) {
        quote = c
        i++
      } else {
        out.push(c)
        i++
      }
    }
    args.push(Buffer.from(out))
  }
}
