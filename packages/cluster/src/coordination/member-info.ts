import { ClusterfunkError, InvalidArgumentError } from '@clusterfunk/core'
import type { Tags } from '@clusterfunk/swim'
import { MESSAGING_DEFAULTS } from './messaging-constants.js'

/** A member's info: string keys and values it publishes (EliasDB's MemberInfo). */
export type MemberInfo = Readonly<Record<string, string>>

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

/** The member info and the node's other tags together are over the SWIM tag budget. */
export class MemberInfoTooLargeError extends ClusterfunkError {
  static readonly code = 'ERR_MEMBER_INFO_TOO_LARGE'
  /** Bytes the node's tags would take with this info (info keys with their prefix, values, and every endpoint tag). */
  readonly size: number
  /** The SWIM tag budget. */
  readonly limit: number
  constructor (size: number, limit: number) {
    super(`member info would make this node's tags ${size} bytes (with its endpoints), over the limit of ${limit} bytes`, MemberInfoTooLargeError.code)
    this.name = 'MemberInfoTooLargeError'
    this.size = size
    this.limit = limit
  }
}

/** A copy of `info` as tags (`info.<key>`). @throws InvalidArgumentError for a key that is not a name or a value that is not a string */
export function infoTags (info: Record<string, string>): Record<string, string> {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new InvalidArgumentError('member info is an object of strings')
  const tags: Record<string, string> = {}
  for (const [key, value] of Object.entries(info)) {
    if (!KEY.test(key)) throw new InvalidArgumentError(`"${key}" is not a member info key (letters, digits, . _ -; at most 63)`)
    if (typeof value !== 'string') throw new InvalidArgumentError(`member info "${key}" is not a string`)
    tags[`${MESSAGING_DEFAULTS.infoTagPrefix}${key}`] = value
  }
  return tags
}

/** The member info a member's tags carry. */
export function infoFromTags (tags: Tags): Record<string, string> {
  const info: Record<string, string> = {}
  const prefix = MESSAGING_DEFAULTS.infoTagPrefix
  for (const [k, v] of [...tags].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) if (k.startsWith(prefix)) info[k.slice(prefix.length)] = v
  return info
}

/** Bytes of tags as SWIM counts them: the UTF-8 of every key and value. */
export function tagBytes (tags: Record<string, string>): number {
  let size = 0
  for (const [k, v] of Object.entries(tags)) size += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8')
  return size
}
