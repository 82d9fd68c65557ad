/**
 * One measurement in a fresh process (so peak RSS is this run's alone):
 *   raw    <file>  DuckDB's own read of the file into a table (the baseline)
 *   plinth <file>  Plinth's ingest + profile of the same file
 * Prints one JSON line: { ms, cpuMs, rssMb, rows } (cpuMs: CPU time of every thread of the
 * process over the timed part, which a busy machine inflates far less than wall time).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { DuckDBInstance } from '@duckdb/node-api'

import { createContext, silentLogger } from '../../src/core/index.js'
import { parseSource } from '../../src/datasets/index.js'
import { createPlatform, loadConfig } from '../../src/platform/index.js'

const [mode, fileArg] = process.argv.slice(2)
if ((mode !== 'raw' && mode !== 'plinth') || fileArg === undefined) {
  throw new Error('usage: worker.ts raw|plinth <file>')
}
const file: string = fileArg
const reader = file.endsWith('.parquet') ? 'read_parquet' : 'read_csv'

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since)
  return (u.user + u.system) / 1000
}

async function raw(): Promise<{ ms: number; cpuMs: number; rows: number }> {
  const instance = await DuckDBInstance.create(':memory:')
  const con = await instance.connect()
  // The same limits Plinth's sandbox uses, so the comparison is like for like.
  await con.run(`SET threads=2`)
  await con.run(`SET memory_limit='2GB'`)
  const cpu = process.cpuUsage()
  const t = performance.now()
  await con.run(`CREATE TABLE t AS SELECT * FROM ${reader}('${file.replaceAll("'", "''")}')`)
  const ms = performance.now() - t
  const used = cpuMs(cpu)
  const n = await con.runAndReadAll('SELECT count(*) AS n FROM t')
  return { ms, cpuMs: used, rows: Number(n.getRowObjects()[0]?.['n'] ?? 0) }
}

async function plinth(): Promise<{ ms: number; cpuMs: number; rows: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'plinth-bench-'))
  try {
    const platform = await createPlatform(loadConfig({ cwd: dir, env: {} }), {
      logger: silentLogger,
      cwd: dir,
    })
    const cpu = process.cpuUsage()
    const t = performance.now()
    const r = await platform.services.datasets.ingestDataset(
      createContext(),
      parseSource(file, { cwd: dir }),
      { name: 'bench' },
    )
    const ms = performance.now() - t
    const used = cpuMs(cpu)
    await platform.close()
    return { ms, cpuMs: used, rows: r.version.rowCount }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const result = mode === 'raw' ? await raw() : await plinth()
process.stdout.write(
  `${JSON.stringify({ ...result, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
)
