import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { openDuckSession, type DuckSession } from '../engine/duckdb-session.js'
import { profileTable } from '../engine/profile.js'
import { validateTable } from './validate.js'

let dir: string
let session: DuckSession

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'plinth-validate-'))
  session = await openDuckSession({ directories: [dir], spillDir: path.join(dir, 'spill') })
  // Deterministic data: ref is 0..2999 / 100, cur the same shifted by 5.
  await session.run('CREATE TABLE ref AS SELECT (i / 100.0)::DOUBLE AS x FROM range(3000) t(i)')
  await session.run('CREATE TABLE cur AS SELECT (i / 100.0 + 5)::DOUBLE AS x FROM range(3000) t(i)')
})
afterAll(() => {
  session.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('validateTable', () => {
  it('samples numeric values deterministically above maxSampleValues and says so', async () => {
    const profile = await profileTable(session, 'ref')
    const run = () =>
      validateTable(session, 'cur', {
        reference: { table: 'ref', profile },
        maxSampleValues: 500,
      })
    const a = await run()
    const b = await run()
    expect(a.sampling).toEqual({ maxValues: 500, method: 'hash' })
    expect(a.drift).toHaveLength(1)
    expect(a.drift[0]).toMatchObject({
      method: 'wasserstein',
      sampled: true,
      referenceCount: 500,
      currentCount: 500,
      drifted: true,
    })
    expect(b.drift).toEqual(a.drift)
    expect(a.anomalies.map((x) => x.kind)).toEqual(['distribution_shift'])
  })

  it('without a schema or reference reports only the row count', async () => {
    expect(await validateTable(session, 'cur')).toEqual({
      ok: true,
      rowCount: 3000,
      anomalies: [],
      drift: [],
    })
  })
})
