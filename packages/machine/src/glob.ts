/** Redis-style glob (`*`, `?`, `[abc]`, `\x`) as a RegExp matching a whole string. */
export function globToRegExp (pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '*') re += '.*'
    else if (c === '?') re += '.'
    else if (c === '\\' && i + 1 < pattern.length) re += escape(pattern[++i] as string)
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end < 0) { re += '\\['; continue }
      let body = pattern.slice(i + 1, end)
      const negate = body.startsWith('^')
      if (negate) body = body.slice(1)
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`
      i = end
    } else re += escape(c)
  }
  return new RegExp(`^${re}$`, 's')
}

function escape (c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
