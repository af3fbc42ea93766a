/**
 * The Grafana dashboard's queries, for `prometheus-check`: every panel's
 * expression with the dashboard's variables filled in as the check's
 * scrape has them, so each can be run through Prometheus' HTTP API.
 */
import { readFileSync } from 'node:fs'

/** The dashboard, shipped beside `system/` in the package. */
export const DASHBOARD_URL = new URL('../../grafana/clusterfunk.json', import.meta.url)

interface Panel { title?: string, type?: string, targets?: Array<{ expr?: string }>, panels?: Panel[] }

/** One query of one panel. */
export interface DashboardQuery { panel: string, expr: string }

/** Every query of every panel (rows' panels included), variables replaced by `vars` (`$job` → `vars.job`). */
export function dashboardQueries (vars: Record<string, string>, url: URL = DASHBOARD_URL): DashboardQuery[] {
  const dashboard = JSON.parse(readFileSync(url, 'utf8')) as { panels?: Panel[] }
  const out: DashboardQuery[] = []
  const walk = (panels: Panel[]): void => {
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        if (typeof t.expr !== 'string' || t.expr === '') continue
        const expr = t.expr.replace(/\$(__\w+|\w+)/g, (whole: string, name: string) => {
          const v = vars[name]
          if (v === undefined) throw new Error(`panel "${p.title ?? '?'}" uses $${name}, which the check does not fill in`)
          return v
        })
        out.push({ panel: p.title ?? '?', expr })
      }
      walk(p.panels ?? [])
    }
  }
  walk(dashboard.panels ?? [])
  return out
}
