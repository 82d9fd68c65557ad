import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  createSqliteMetadataStore,
  sqliteMetadataConfigSchema,
} from '../../src/adapters/metadata-sqlite/index.js'
import { createRng } from '../../src/core/index.js'

/**
 * Crash safety of the SQLite metadata store: writers in child processes are SIGKILLed at a random
 * moment, and every write they acknowledged (printed after its commit resolved) must be in the
 * database afterwards, which must pass `PRAGMA integrity_check`.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WRITER = fileURLToPath(new URL('./fixtures/metadata-writer.ts', import.meta.url))
/** A writer that has not acknowledged anything by then is stuck. */
const FIRST_ACK_TIMEOUT_MS = 20_000
const SEED = 20_251_123

interface Writer {
  readonly acks: Set<string>
  readonly firstAck: Promise<void>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  kill(): void
  stderr(): string
}

function startWriter(dbPath: string, writers: number, prefix: string): Writer {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WRITER, dbPath, String(writers), prefix],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const acks = new Set<string>()
  let pending = ''
  let errors = ''
  let onFirstAck: () => void = () => undefined
  const firstAck = new Promise<void>((resolve) => {
    onFirstAck = resolve
  })
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n')
    // Only whole lines are acknowledgements; a torn last line is not (yet) one.
    pending = lines.pop() ?? ''
    for (const line of lines) if (line !== '') acks.add(line)
    if (acks.size > 0) onFirstAck()
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    errors += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal })
    })
  })
  return {
    acks,
    firstAck,
    exited,
    kill: () => child.kill('SIGKILL'),
    stderr: () => errors,
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

interface CycleResult {
  readonly acked: number
  /** Rows committed but killed before their acknowledgement was printed. */
  readonly unacked: number
  readonly lost: readonly string[]
  readonly integrityOk: boolean
  readonly problems: readonly string[]
}

/** Runs writers on a fresh database, kills them all `delayMs` after each has acked once, checks. */
async function crashCycle(
  dir: string,
  cycle: number,
  delayMs: number,
  processes: number,
  writersPerProcess: number,
): Promise<CycleResult> {
  const dbPath = join(dir, `cycle-${String(cycle)}`, 'plinth.db')
  const children = Array.from({ length: processes }, (_, p) =>
    startWriter(dbPath, writersPerProcess, `p${String(p)}`),
  )
  try {
    let timer: NodeJS.Timeout | undefined
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no acknowledgement within ${String(FIRST_ACK_TIMEOUT_MS)} ms`))
      }, FIRST_ACK_TIMEOUT_MS)
    })
    const diedEarly = children.map((c) =>
      c.exited.then(({ code, signal }) => {
        throw new Error(
          `writer exited before being killed (code ${String(code)}, signal ${String(signal)}):\n${c.stderr()}`,
        )
      }),
    )
    try {
      await Promise.race([Promise.all(children.map((c) => c.firstAck)), stuck, ...diedEarly])
    } finally {
      clearTimeout(timer)
      for (const p of diedEarly) p.catch(() => undefined)
    }
    await sleep(delayMs)
  } finally {
    for (const c of children) c.kill()
  }
  for (const c of children) {
    const { signal } = await c.exited
    expect(signal, c.stderr()).toBe('SIGKILL')
  }

  const acked = new Set(children.flatMap((c) => [...c.acks]))
  const store = createSqliteMetadataStore(
    sqliteMetadataConfigSchema.parse({ kind: 'sqlite', path: dbPath }),
  )
  try {
    await store.init()
    const rows = await store.db
      .selectFrom('workspaces')
      .select('id')
      .where('id', '!=', 'default')
      .execute()
    const present = new Set(rows.map((r) => r.id))
    const report = await store.checkIntegrity()
    return {
      acked: acked.size,
      unacked: [...present].filter((id) => !acked.has(id)).length,
      lost: [...acked].filter((id) => !present.has(id)),
      integrityOk: report.ok,
      problems: report.problems,
    }
  } finally {
    await store.close()
  }
}

function summarize(results: readonly CycleResult[]): string {
  const acked = results.map((r) => r.acked).sort((a, b) => a - b)
  const total = acked.reduce((sum, n) => sum + n, 0)
  const median = acked[Math.floor(acked.length / 2)] ?? 0
  const lost = results.reduce((sum, r) => sum + r.lost.length, 0)
  const intact = results.filter((r) => r.integrityOk).length
  return (
    `${String(results.length)} SIGKILLs; acked writes per cycle min ${String(acked[0] ?? 0)}, ` +
    `median ${String(median)}, max ${String(acked.at(-1) ?? 0)} (total ${String(total)}); ` +
    `committed but unacked ${String(results.reduce((s, r) => s + r.unacked, 0))}; ` +
    `lost ${String(lost)}; integrity ok ${String(intact)}/${String(results.length)}`
  )
}

interface CycleOptions {
  readonly cycles: number
  readonly seed: number
  readonly processes: number
  readonly writersPerProcess: number
  /** Cycles run at the same time (each on its own database), to fit the time budget. */
  readonly parallel: number
}

async function runCycles(dir: string, opts: CycleOptions): Promise<CycleResult[]> {
  // Kill delays are drawn up front, in cycle order, so a seed always means the same schedule.
  const rng = createRng(opts.seed)
  const delays = Array.from({ length: opts.cycles }, () => 150 + rng.int(751))
  const results: CycleResult[] = []
  for (let first = 0; first < opts.cycles; first += opts.parallel) {
    const batch = delays.slice(first, first + opts.parallel)
    results.push(
      ...(await Promise.all(
        batch.map((delayMs, i) =>
          crashCycle(dir, first + i, delayMs, opts.processes, opts.writersPerProcess),
        ),
      )),
    )
  }
  results.forEach((result, cycle) => {
    expect(result.lost, `cycle ${String(cycle)} lost acknowledged writes`).toEqual([])
    expect(result.problems, `cycle ${String(cycle)} integrity`).toEqual([])
    expect(result.integrityOk).toBe(true)
    expect(result.acked).toBeGreaterThan(0)
    // At most one commit per writer can be in the gap between commit and acknowledgement.
    expect(result.unacked).toBeLessThanOrEqual(opts.processes * opts.writersPerProcess)
  })
  return results
}

describe('SQLite metadata store under SIGKILL', () => {
  let dir = ''

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-crash-'))
  })

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it(
    'loses no acknowledged write over 20 kills of a single writer',
    { timeout: 120_000 },
    async ({ annotate }) => {
      const results = await runCycles(dir, {
        cycles: 20,
        seed: SEED,
        processes: 1,
        writersPerProcess: 1,
        parallel: 2,
      })
      expect(results).toHaveLength(20)
      await annotate(summarize(results))
    },
  )

  it(
    'loses no acknowledged write with 4 concurrent writers in one process',
    { timeout: 60_000 },
    async ({ annotate }) => {
      const results = await runCycles(join(dir, 'in-process'), {
        cycles: 4,
        seed: SEED + 1,
        processes: 1,
        writersPerProcess: 4,
        parallel: 2,
      })
      await annotate(summarize(results))
    },
  )

  it(
    'loses no acknowledged write with 4 writer processes sharing a new database',
    { timeout: 60_000 },
    async ({ annotate }) => {
      // Also exercises four processes migrating one new database at the same moment.
      const results = await runCycles(join(dir, 'multi-process'), {
        cycles: 3,
        seed: SEED + 2,
        processes: 4,
        writersPerProcess: 1,
        parallel: 1,
      })
      await annotate(summarize(results))
    },
  )
})
