/**
 * A command's arguments in both forms it is given to a command: as text
 * (UTF-8; a byte sequence that is not UTF-8 reads as U+FFFD) and as the exact
 * bytes that arrived (binary-safe: a value stored from `bytes` round-trips
 * exactly).
 */
export interface CommandArgs {
  readonly strings: string[]
  readonly bytes: Buffer[]
}

export function commandArgs (args: ReadonlyArray<string | Buffer>): CommandArgs {
  const strings: string[] = new Array<string>(args.length)
  const bytes: Buffer[] = new Array<Buffer>(args.length)
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string | Buffer
    if (typeof a === 'string') {
      strings[i] = a
      bytes[i] = Buffer.from(a)
    } else {
      strings[i] = a.toString()
      bytes[i] = a
    }
  }
  return { strings, bytes }
}
