/**
 * Reads the small CSV datasets of examples/datasets into a Frame for ML tests: numbers become
 * f64 columns, the named categorical columns and any non-numeric column become `cat` columns,
 * and chosen columns' zeros become missing values (mlbench_pima's convention).
 */
import { readFileSync } from 'node:fs'

import { columnFromArray, createFrame, type Column, type Frame } from '../../src/frame/index.js'

function parseLine(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i)
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out
}

export interface CsvFrameOptions {
  /** The target column, returned as a `cat` column of its text (classes sorted as strings). */
  readonly target: string
  /** Columns read as categories even when their values look numeric. */
  readonly categorical?: readonly string[]
  /** Columns whose zeros are missing values. */
  readonly zeroAsMissing?: readonly string[]
}

/** The features and target of a CSV file. */
export function readCsvFrame(file: string, options: CsvFrameOptions): { X: Frame; y: Column } {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0)
  const header = parseLine(lines[0] ?? '')
  const rows = lines.slice(1).map(parseLine)
  const cats = new Set(options.categorical ?? [])
  const zeros = new Set(options.zeroAsMissing ?? [])
  const cols: Column[] = []
  let y: Column | undefined
  header.forEach((name, j) => {
    const raw = rows.map((r) => r[j] ?? '')
    const numeric = raw.every((v) => v !== '' && Number.isFinite(Number(v)))
    if (name === options.target) {
      y = columnFromArray(name, raw, 'cat')
    } else if (cats.has(name) || !numeric) {
      cols.push(columnFromArray(name, raw, 'cat'))
    } else {
      cols.push(
        columnFromArray(
          name,
          raw.map((v) => (zeros.has(name) && Number(v) === 0 ? null : Number(v))),
          'f64',
        ),
      )
    }
  })
  if (y === undefined) throw new Error(`no column ${options.target} in ${file}`)
  return { X: createFrame(cols), y }
}
