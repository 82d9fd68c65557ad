/**
 * bench:datasets — Plinth's ingest + profile against DuckDB's raw read of the same file, side
 * by side in one run (these machines are noisy: compare the ratios, not absolute times).
 *
 * Files: vega-datasets' flights-3m.parquet (3M rows) and a 1M-row CSV from
 * ../shared/bench/gen_higgs_like.py (generated once into bench/.data, not committed).
 * Ends with one JSON line holding the figures. The ratio of CPU times is printed beside the
 * ratio of wall times: on a machine other work keeps busy, each process gets a share of the cores
 * and wall time mostly measures that share, while CPU time still measures the work done.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { loadavg } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const DATA = path.join(ROOT, 'bench', '.data')
const REPS = Number(process.env['BENCH_REPS'] ?? 3)

function ensureCsv(): string {
  const csv = path.join(DATA, 'higgs_like_1000000_s42.csv')
  if (existsSync(csv)) return csv
  const gen = path.resolve(ROOT, '..', 'shared', 'bench', 'gen_higgs_like.py')
  if (!existsSync(gen)) throw new Error(`need ${gen} to generate the 1M-row CSV`)
  mkdirSync(DATA, { recursive: true })
  process.stderr.write('generating the 1M-row CSV (once)…\n')
  execFileSync('/usr/bin/python3', [gen, '1000000', '--out', DATA], { stdio: 'inherit' })
  return csv
}

interface Run {
  ms: number
  cpuMs: number
  rssMb: number
  rows: number
}

function measure(mode: 'raw' | 'plinth', file: string): Run {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/datasets/worker.ts'), mode, file],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  )
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Run
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

const cases = [
  {
    key: 'parquet_3m',
    file: path.join(ROOT, 'node_modules/vega-datasets/data/flights-3m.parquet'),
  },
  { key: 'csv_1m', file: ensureCsv() },
]
const figures: Record<string, number> = {}
process.stdout.write(
  `bench:datasets  reps=${String(REPS)}  load=${loadavg()[0]?.toFixed(2) ?? '?'}\n\n`,
)
process.stdout.write(
  'case          rows        duckdb raw read   plinth ingest+profile   ratio   plinth peak RSS   cpu ratio\n',
)
for (const c of cases) {
  const raw: Run[] = []
  const plinth: Run[] = []
  for (let i = 0; i < REPS; i++) {
    // Alternate which goes first, so neither always enjoys the warmer cache.
    if (i % 2 === 0) {
      raw.push(measure('raw', c.file))
      plinth.push(measure('plinth', c.file))
    } else {
      plinth.push(measure('plinth', c.file))
      raw.push(measure('raw', c.file))
    }
  }
  const r = median(raw.map((x) => x.ms))
  const p = median(plinth.map((x) => x.ms))
  const rss = Math.max(...plinth.map((x) => x.rssMb))
  const ratio = p / r
  const cpuRatio = median(plinth.map((x) => x.cpuMs)) / median(raw.map((x) => x.cpuMs))
  figures[`ingest_profile_ratio_${c.key}`] = Number(ratio.toFixed(3))
  figures[`cpu_ratio_${c.key}`] = Number(cpuRatio.toFixed(3))
  figures[`duckdb_raw_ms_${c.key}`] = Math.round(r)
  figures[`plinth_ingest_profile_ms_${c.key}`] = Math.round(p)
  figures[`peak_rss_mb_${c.key}`] = Math.round(rss)
  process.stdout.write(
    `${c.key.padEnd(12)}  ${String(plinth[0]?.rows ?? 0).padStart(9)}  ${`${Math.round(r)} ms`.padStart(16)}  ${`${Math.round(p)} ms`.padStart(22)}  ${ratio.toFixed(2).padStart(6)}×  ${`${Math.round(rss)} MB`.padStart(15)}  ${cpuRatio.toFixed(2).padStart(9)}×\n`,
  )
}
process.stdout.write(
  `\ntargets: ingest+profile ≤ 2.5× the raw read; peak RSS < 1024 MB on the 3M-row file  (load at the end ${loadavg()[0]?.toFixed(2) ?? '?'})\n`,
)
process.stdout.write(`${JSON.stringify({ bench: 'datasets', reps: REPS, ...figures })}\n`)
