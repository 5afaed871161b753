/**
 * The name of a new revision: `<UTC timestamp>_<slug of the message>`, such as
 * `20250102_153000_add_hero_table`. Names sort in the order revisions are applied, so a revision written
 * within the same second as the last one (or on a machine whose clock is behind) takes the next second.
 */
export function revisionName(message: string, now: Date, existing: readonly string[]): string {
  const slug =
    message
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 60)
      .replace(/_+$/, '') || 'revision'
  let time = Math.floor(now.getTime() / 1000) * 1000
  const latest = [...existing].sort().at(-1)
  const latestTime = latest === undefined ? undefined : parseTimestamp(latest)
  if (latestTime !== undefined && latestTime >= time) time = latestTime + 1000
  return `${formatTimestamp(new Date(time))}_${slug}`
}

function formatTimestamp(date: Date): string {
  const iso = date.toISOString() // 2025-01-02T15:30:00.000Z
  return `${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`
}

function parseTimestamp(name: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})/.exec(name)
  if (!match) return undefined
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number]
  return Date.UTC(y, mo - 1, d, h, mi, s)
}
