import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { openDuckSession, type DuckSession } from './duckdb-session.js'
import { profileTable } from './profile.js'

describe('profileTable on a large table with estimated distinct counts', () => {
  let dir: string
  let session: DuckSession
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'plinth-profile-'))
    session = await openDuckSession({ directories: [dir], spillDir: path.join(dir, 'spill') })
    // 150,000 rows: integers spanning few values (moments from their value counts), integers
    // spanning many (moments from an aggregate), with NULLs, and a huge offset.
    await session.run(
      `CREATE TABLE src AS SELECT (i % 1000) - 500 AS narrow, i * 1000003 AS wide,
         CASE WHEN i % 7 = 0 THEN NULL ELSE i % 13 END AS gaps,
         4000000000000 + (i % 97) AS offset, (i % 10) / 4 AS x
       FROM range(150000) t(i)`,
    )
  })
  afterAll(async () => {
    session.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('gives every numeric column its exact mean and standard deviation', async () => {
    const profile = await profileTable(session, 'src', { exactDistinctRows: 1000 })
    const n = 150_000
    const columns: Record<string, (i: number) => bigint | null> = {
      narrow: (i) => BigInt((i % 1000) - 500),
      wide: (i) => BigInt(i) * 1000003n,
      gaps: (i) => (i % 7 === 0 ? null : BigInt(i % 13)),
      offset: (i) => 4000000000000n + BigInt(i % 97),
    }
    for (const [name, value] of Object.entries(columns)) {
      // The exact mean (BigInt sums), then the variance about it.
      const xs = Array.from({ length: n }, (_, i) => value(i)).filter((x) => x !== null)
      const total = xs.reduce((a, b) => a + b, 0n)
      const q = total / BigInt(xs.length)
      const mean = Number(q) + Number(total - q * BigInt(xs.length)) / xs.length
      const frac = Number(total - q * BigInt(xs.length)) / xs.length
      const ss = xs.reduce((a, x) => a + (Number(x - q) - frac) ** 2, 0)
      const std = Math.sqrt(ss / (xs.length - 1))
      const got = profile.columns.find((c) => c.name === name)
      expect(Math.abs((got?.mean ?? 0) / mean - 1), name).toBeLessThan(1e-12)
      expect(Math.abs((got?.std ?? 0) / std - 1), name).toBeLessThan(1e-9)
    }
    expect(profile.columns.find((c) => c.name === 'narrow')).toMatchObject({
      distinct: 1000,
      distinctApprox: false,
      min: -500,
      max: 499,
    })
    // Every column varies, so each is in the correlation matrix.
    expect(profile.correlations?.columns).toEqual(['narrow', 'wide', 'gaps', 'offset', 'x'])
  })
})
