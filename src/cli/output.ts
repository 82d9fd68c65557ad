import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, unlink } from 'node:fs/promises'
import type { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/** Where a command writes: results to `out`, diagnostics to `err`. */
export interface Output {
  readonly out: Writable
  readonly err: Writable
  /** `--json` was given: print machine-readable results only. */
  readonly json: boolean
}

/** Writes one JSON document (pretty, newline-terminated). */
export function printJson(output: Output, value: unknown): void {
  output.out.write(`${JSON.stringify(value, null, 2)}\n`)
}

/** Writes a line of text. */
export function println(output: Output, line = ''): void {
  output.out.write(`${line}\n`)
}

/** A column of a table: a header and how to render a row's cell. */
export interface Column<T> {
  readonly header: string
  readonly value: (row: T) => string
  readonly align?: 'left' | 'right'
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' })

function width(s: string): number {
  // Grapheme clusters, not UTF-16 units, so accented names and emoji don't skew the columns.
  let n = 0
  for (const _ of graphemes.segment(s)) n++
  return n
}

/** Renders rows as an aligned plain-text table with a header rule. */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row).replace(/[\r\n\t]/g, ' ')))
  const widths = columns.map((c, i) =>
    Math.max(width(c.header), ...cells.map((r) => width(r[i] ?? ''))),
  )
  const pad = (s: string, i: number): string => {
    const w = widths[i] ?? 0
    const fill = ' '.repeat(Math.max(0, w - width(s)))
    return columns[i]?.align === 'right' ? fill + s : s + fill
  }
  const lines = [
    columns
      .map((c, i) => pad(c.header, i))
      .join('  ')
      .trimEnd(),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...cells.map((r) =>
      r
        .map((s, i) => pad(s, i))
        .join('  ')
        .trimEnd(),
    ),
  ]
  return lines.join('\n')
}

/** `1536` → `1.5 KiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${String(n)} B` : `${v.toFixed(1)} ${units[u] ?? ''}`
}

/** Epoch ms → `2026-11-23 20:15:03` (UTC). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19)
}

/**
 * Sends a byte stream to `file` or, without one, to stdout. A file is written beside the target
 * and renamed into place, so a failed or corrupt download never leaves a half-written file under
 * the requested name.
 */
export async function writeBytes(body: Readable, stdout: Writable, file?: string): Promise<void> {
  if (file === undefined) {
    await pipeline(body, stdout, { end: false })
    return
  }
  const tmp = `${file}.${randomBytes(6).toString('hex')}.partial`
  try {
    await pipeline(body, createWriteStream(tmp, { flags: 'wx', mode: 0o644 }))
    await rename(tmp, file)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  }
}
