#!/usr/bin/env node
// Reads benchmark output (any lines; the JSON figure lines are picked out)
// on stdin and prints a Markdown table of the figures against their goals:
//
//   npm run bench 2>/dev/null | node scripts/figures-table.js
import { createInterface } from 'node:readline'

const rows = []
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.startsWith('{')) continue
  let f
  try { f = JSON.parse(line) } catch { continue }
  if (typeof f.bench !== 'string' || typeof f.value !== 'number') continue
  const goal = f.goal === undefined ? '' : `${f.better === 'lower' ? '≤' : '≥'} ${f.goal}`
  const met = f.goal === undefined ? '' : ((f.better === 'lower' ? f.value <= f.goal : f.value >= f.goal) ? 'met' : '**missed**')
  rows.push(`| \`${f.bench}\` | ${f.value} | ${f.unit} | ${goal} | ${met} |`)
}
process.stdout.write(['| figure | value | unit | goal | |', '|---|---:|---|---|---|', ...rows].join('\n') + '\n')
