import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createContext, type RequestContext } from '../../src/core/index.js'
import { parseSource } from '../../src/datasets/index.js'
import type { Platform } from '../../src/platform/index.js'
import type { TrackingService } from '../../src/tracking/index.js'
import { createTestPlatform } from '../support/platform.js'

/**
 * The tracking service against every metadata backend: SQLite always, PostgreSQL when
 * PLINTH_TEST_POSTGRES_URL is set (skipped with a message otherwise).
 */
const PG_URL = process.env['PLINTH_TEST_POSTGRES_URL']
const BACKENDS: { name: string; env: () => Record<string, string>; enabled: boolean }[] = [
  { name: 'sqlite', env: () => ({}), enabled: true },
  {
    name: 'postgres',
    enabled: PG_URL !== undefined,
    env: () => ({
      PLINTH_METADATA_URL: `${PG_URL ?? ''}${(PG_URL ?? '').includes('?') ? '&' : '?'}schema=plinth_trk_${randomBytes(5).toString('hex')}`,
    }),
  },
]
if (PG_URL === undefined) {
  process.stderr.write('tracking: PostgreSQL tests skipped (set PLINTH_TEST_POSTGRES_URL)\n')
}

async function dropPgSchema(url: string): Promise<void> {
  const schema = new URL(url).searchParams.get('schema')
  if (schema === null || PG_URL === undefined) return
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`)
  } finally {
    await client.end()
  }
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.enabled)(`tracking service on ${backend.name}`, () => {
    let platform: Platform
    let t: TrackingService
    let cleanup: () => Promise<void>
    let dir: string
    const env = backend.env()
    const ctx: RequestContext = createContext()

    beforeAll(async () => {
      const p = await createTestPlatform({ env })
      platform = p.platform
      dir = p.dir
      t = platform.services.tracking
      cleanup = async () => {
        await p.cleanup()
        if (env['PLINTH_METADATA_URL'] !== undefined) await dropPgSchema(env['PLINTH_METADATA_URL'])
      }
    })
    afterAll(async () => {
      await cleanup()
    })

    it('creates, finds, renames, deletes and restores experiments', async () => {
      const e = await t.createExperiment(ctx, {
        name: 'exp-a',
        tags: [{ key: 'team', value: 'x' }],
      })
      expect(e).toMatchObject({
        name: 'exp-a',
        lifecycleStage: 'active',
        artifactLocation: `mlflow-artifacts:/${e.experimentId}`,
        tags: [{ key: 'team', value: 'x' }],
      })
      expect(e.experimentId).toMatch(/^\d+$/)
      await expect(t.createExperiment(ctx, { name: 'exp-a' })).rejects.toMatchObject({
        code: 'ALREADY_EXISTS',
      })
      await expect(t.createExperiment(ctx, { name: '' })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      expect((await t.getExperimentByName(ctx, 'exp-a')).experimentId).toBe(e.experimentId)
      await expect(t.getExperiment(ctx, '999999')).rejects.toMatchObject({ code: 'NOT_FOUND' })
      expect((await t.getExperiment(ctx, '0')).name).toBe('Default')

      await t.updateExperiment(ctx, e.experimentId, 'exp-a2')
      await t.setExperimentTag(ctx, e.experimentId, 'k', 'v')
      await t.deleteExperimentTag(ctx, e.experimentId, 'team')
      await expect(t.deleteExperimentTag(ctx, e.experimentId, 'team')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      })
      const run = await t.createRun(ctx, { experimentId: e.experimentId })
      await t.deleteExperiment(ctx, e.experimentId)
      expect((await t.getRun(ctx, run.info.runId)).info.lifecycleStage).toBe('deleted')
      await expect(t.createRun(ctx, { experimentId: e.experimentId })).rejects.toMatchObject({
        code: 'FAILED_PRECONDITION',
      })
      await t.restoreExperiment(ctx, e.experimentId)
      const back = await t.getExperiment(ctx, e.experimentId)
      expect(back).toMatchObject({
        name: 'exp-a2',
        lifecycleStage: 'active',
        tags: [{ key: 'k', value: 'v' }],
      })
      expect((await t.getRun(ctx, run.info.runId)).info.lifecycleStage).toBe('active')
    })

    it('searches experiments with a filter, order and pages', async () => {
      for (const n of ['se-b', 'se-a', 'se-c']) await t.createExperiment(ctx, { name: n })
      const page1 = await t.searchExperiments(ctx, {
        filter: "name LIKE 'se-%'",
        orderBy: ['name ASC'],
        maxResults: 2,
      })
      expect(page1.items.map((e) => e.name)).toEqual(['se-a', 'se-b'])
      expect(page1.nextPageToken).toBeDefined()
      const page2 = await t.searchExperiments(ctx, {
        filter: "name LIKE 'se-%'",
        orderBy: ['name ASC'],
        maxResults: 2,
        pageToken: page1.nextPageToken!,
      })
      expect(page2.items.map((e) => e.name)).toEqual(['se-c'])
      expect(page2.nextPageToken).toBeUndefined()
      await expect(
        t.searchExperiments(ctx, { filter: "name LIKE 'x%'", pageToken: page1.nextPageToken! }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    })

    it('creates runs with generated names, users, nesting and statuses', async () => {
      const e = await t.createExperiment(ctx, { name: 'runs-1' })
      const parent = await t.createRun(ctx, { experimentId: e.experimentId, startTime: 1000 })
      expect(parent.info.runId).toMatch(/^[0-9a-f]{32}$/)
      expect(parent.info.runName).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/)
      expect(parent.info.status).toBe('RUNNING')
      expect(parent.info.startTime).toBe(1000)
      expect(parent.info.artifactUri).toBe(
        `mlflow-artifacts:/${e.experimentId}/${parent.info.runId}/artifacts`,
      )
      expect(parent.data.tags).toContainEqual({ key: 'mlflow.runName', value: parent.info.runName })
      const child = await t.createRun(ctx, {
        experimentId: e.experimentId,
        runName: 'child',
        parentRunId: parent.info.runId,
        tags: [{ key: 'mlflow.user', value: 'ann' }],
      })
      expect(child.info).toMatchObject({ runName: 'child', userId: 'ann' })
      expect(child.data.tags).toContainEqual({
        key: 'mlflow.parentRunId',
        value: parent.info.runId,
      })
      await expect(
        t.createRun(ctx, { experimentId: e.experimentId, parentRunId: 'f'.repeat(32) }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(t.getRun(ctx, 'a'.repeat(32))).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(t.getRun(ctx, '../etc')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })

      const info = await t.updateRun(ctx, child.info.runId, { status: 'FINISHED', runName: 'kid' })
      expect(info.status).toBe('FINISHED')
      expect(info.endTime).toBeGreaterThan(0)
      expect(info.runName).toBe('kid')
      expect((await t.getRun(ctx, child.info.runId)).data.tags).toContainEqual({
        key: 'mlflow.runName',
        value: 'kid',
      })
      await expect(
        t.updateRun(ctx, child.info.runId, { status: 'DONE' as never }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      await t.deleteRun(ctx, child.info.runId)
      await expect(t.logParam(ctx, child.info.runId, 'a', '1')).rejects.toMatchObject({
        code: 'FAILED_PRECONDITION',
      })
      await t.restoreRun(ctx, child.info.runId)
      await t.logParam(ctx, child.info.runId, 'a', '1')
    })

    it('logs batches with MLflow semantics and limits', async () => {
      const run = await t.createRun(ctx)
      const id = run.info.runId
      await t.logBatch(ctx, id, {
        metrics: [
          { key: 'loss', value: 3, timestamp: 10, step: 0 },
          { key: 'loss', value: 2, timestamp: 5, step: 2 },
          { key: 'loss', value: 9, timestamp: 20, step: 1 },
          { key: 'nan', value: Number.NaN, timestamp: 1 },
          { key: 'inf', value: Number.POSITIVE_INFINITY, timestamp: 1 },
          { key: 'ninf', value: Number.NEGATIVE_INFINITY, timestamp: 1 },
        ],
        params: [
          { key: 'lr', value: '0.1' },
          { key: 'lr', value: '0.1' },
        ],
        tags: [
          { key: 't', value: 'a' },
          { key: 't', value: 'b' },
        ],
      })
      const got = await t.getRun(ctx, id)
      const m = Object.fromEntries(got.data.metrics.map((x) => [x.key, x]))
      // The latest point is the one with the highest step, not the newest timestamp.
      expect(m['loss']).toEqual({ key: 'loss', value: 2, timestamp: 5, step: 2 })
      expect(m['nan']?.value).toBeNaN()
      expect(m['inf']?.value).toBe(Number.POSITIVE_INFINITY)
      expect(m['ninf']?.value).toBe(Number.NEGATIVE_INFINITY)
      expect(got.data.params).toEqual([{ key: 'lr', value: '0.1' }])
      expect(got.data.tags).toContainEqual({ key: 't', value: 'b' })

      // Params are write-once; the failing batch changes nothing (it is one transaction).
      const err = await t
        .logBatch(ctx, id, {
          params: [{ key: 'lr', value: '0.2' }],
          metrics: [{ key: 'loss', value: 0, step: 99 }],
        })
        .catch((e: unknown) => e)
      expect(err).toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { key: 'lr', oldValue: '0.1', newValue: '0.2' },
      })
      expect((await t.getMetricHistory(ctx, id, 'loss')).items).toHaveLength(3)
      await t.logParam(ctx, id, 'lr', '0.1')

      const over = async (input: Parameters<TrackingService['logBatch']>[2]) =>
        t.logBatch(ctx, id, input).catch((e: unknown) => e)
      const metric = { key: 'x', value: 1 }
      expect(await over({ metrics: new Array(1001).fill(metric) })).toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      expect(
        await over({
          params: Array.from({ length: 101 }, (_, i) => ({ key: `p${String(i)}`, value: '1' })),
        }),
      ).toMatchObject({ code: 'INVALID_ARGUMENT' })
      expect(
        await over({
          metrics: new Array(950).fill(metric),
          tags: Array.from({ length: 51 }, (_, i) => ({ key: `t${String(i)}`, value: '1' })),
        }),
      ).toMatchObject({ code: 'INVALID_ARGUMENT' })
      expect(await over({ params: [{ key: 'k'.repeat(251), value: '1' }] })).toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      expect(await over({ params: [{ key: 'big', value: 'v'.repeat(6001) }] })).toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      expect(await over({ metrics: [{ key: 'x', value: 1, step: 1.5 }] })).toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      await t.logBatch(ctx, id, { metrics: new Array(1000).fill(metric) })

      await t.setTag(ctx, id, 'gone', '1')
      await t.deleteTag(ctx, id, 'gone')
      await expect(t.deleteTag(ctx, id, 'gone')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('pages metric histories in step order', async () => {
      const run = await t.createRun(ctx)
      const id = run.info.runId
      await t.logMetricsBulk(
        ctx,
        id,
        Array.from({ length: 25 }, (_, i) => ({
          key: 'h',
          value: i * 2,
          timestamp: 100 + i,
          step: 24 - i,
        })),
      )
      const seen: number[] = []
      let pageToken: string | undefined
      do {
        const page = await t.getMetricHistory(ctx, id, 'h', {
          maxResults: 10,
          ...(pageToken === undefined ? {} : { pageToken }),
        })
        seen.push(...page.items.map((p) => p.step))
        pageToken = page.nextPageToken
      } while (pageToken !== undefined)
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i))
      await expect(
        t.getMetricHistory(ctx, id, 'other', { pageToken: 'bm90LWEtdG9rZW4' }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    })

    it('searches runs with filters, OR, parentheses, order_by and pages', async () => {
      const e = await t.createExperiment(ctx, { name: 'search-1' })
      const e2 = await t.createExperiment(ctx, { name: 'search-2' })
      const made: string[] = []
      for (let i = 0; i < 6; i++) {
        const r = await t.createRun(ctx, {
          experimentId: i < 5 ? e.experimentId : e2.experimentId,
          runName: `r${String(i)}`,
          startTime: 1000 + i,
        })
        made.push(r.info.runId)
        await t.logBatch(ctx, r.info.runId, {
          metrics: i === 4 ? [] : [{ key: 'acc', value: i / 10, timestamp: 1 }],
          params: [{ key: 'model', value: i % 2 === 0 ? 'GBDT' : 'logistic' }],
          tags: [{ key: 'stage', value: i < 2 ? 'dev' : 'prod' }],
        })
      }
      const names = async (filter: string, orderBy: string[] = [], ids = [e.experimentId]) =>
        (await t.searchRuns(ctx, { experimentIds: ids, filter, orderBy })).items.map(
          (r) => r.info.runName,
        )
      expect(await names('metrics.acc >= 0.2')).toEqual(['r3', 'r2'])
      expect(await names('metrics.acc >= 0.2', ['metrics.acc ASC'])).toEqual(['r2', 'r3'])
      // Runs without the metric sort last in either direction.
      expect(await names('', ['metrics.acc DESC'])).toEqual(['r3', 'r2', 'r1', 'r0', 'r4'])
      expect(await names('', ['metrics.acc ASC'])).toEqual(['r0', 'r1', 'r2', 'r3', 'r4'])
      expect(await names("params.model = 'GBDT'", ['attributes.start_time'])).toEqual([
        'r0',
        'r2',
        'r4',
      ])
      // LIKE is case-sensitive, ILIKE is not (on both databases).
      expect(await names("params.model LIKE 'gb%'")).toEqual([])
      expect(await names("params.model ILIKE 'gb%'")).toEqual(['r4', 'r2', 'r0'])
      expect(await names("params.model LIKE 'G_DT'")).toEqual(['r4', 'r2', 'r0'])
      expect(
        await names("(tags.stage = 'dev' OR metrics.acc > 0.25) AND params.model != 'GBDT'"),
      ).toEqual(['r3', 'r1'])
      expect(await names("tags.stage = 'dev' OR run_name IN ('r4')")).toEqual(['r4', 'r1', 'r0'])
      expect(await names(`attributes.run_id = '${made[2]!}'`)).toEqual(['r2'])
      expect(await names("attributes.run_name NOT IN ('r0', 'r1') AND metrics.acc < 1")).toEqual([
        'r3',
        'r2',
      ])
      expect(await names("status = 'RUNNING' AND created > 1003")).toEqual(['r4'])
      expect(
        await names(
          'metrics.acc > 0',
          ['params.model DESC', 'metrics.acc'],
          [e.experimentId, e2.experimentId],
        ),
      ).toEqual(['r1', 'r3', 'r5', 'r2'])
      await expect(names('metrics.acc > ')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      await expect(
        t.searchRuns(ctx, { experimentIds: [e.experimentId], maxResults: 50_001 }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })

      const all: string[] = []
      let pageToken: string | undefined
      do {
        const page = await t.searchRuns(ctx, {
          experimentIds: [e.experimentId],
          maxResults: 2,
          ...(pageToken === undefined ? {} : { pageToken }),
        })
        all.push(...page.items.map((r) => r.info.runName))
        pageToken = page.nextPageToken
      } while (pageToken !== undefined)
      expect(all).toEqual(['r4', 'r3', 'r2', 'r1', 'r0'])

      // A metric order reads runs with a value, then NaN ones, then those without it: pages of
      // any size concatenate to the one-page answer.
      const nan = await t.createRun(ctx, {
        experimentId: e.experimentId,
        runName: 'rnan',
        startTime: 999,
      })
      await t.logMetric(ctx, nan.info.runId, { key: 'acc', value: Number.NaN, timestamp: 1 })
      const ordered = ['r3', 'r2', 'r1', 'r0', 'rnan', 'r4']
      expect(await names('', ['metrics.acc DESC'])).toEqual(ordered)
      for (const size of [1, 2, 4]) {
        const seen: string[] = []
        let token: string | undefined
        do {
          const page = await t.searchRuns(ctx, {
            experimentIds: [e.experimentId],
            orderBy: ['metrics.acc DESC'],
            maxResults: size,
            ...(token === undefined ? {} : { pageToken: token }),
          })
          seen.push(...page.items.map((r) => r.info.runName))
          token = page.nextPageToken
        } while (token !== undefined)
        expect(seen, `pages of ${String(size)}`).toEqual(ordered)
      }
      expect(await names("tags.stage = 'prod'", ['metrics.acc ASC', 'params.model'])).toEqual([
        'r2',
        'r3',
        'r4',
      ])
      await t.deleteRun(ctx, nan.info.runId)
      await t.deleteRun(ctx, made[0]!)
      expect(await names('')).toHaveLength(4)
      expect(
        (
          await t.searchRuns(ctx, { experimentIds: [e.experimentId], runViewType: 'DELETED_ONLY' })
        ).items.map((r) => r.info.runName),
      ).toEqual(['r0', 'rnan'])

      const cmp = await t.compareRuns(ctx, [made[1]!, made[5]!, made[4]!])
      expect(cmp.runs.map((r) => r.experimentName)).toEqual(['search-1', 'search-2', 'search-1'])
      expect(cmp.paramKeys).toEqual(['model'])
      expect(cmp.params).toEqual([{ model: 'logistic' }, { model: 'logistic' }, { model: 'GBDT' }])
      expect(cmp.metrics).toEqual([{ acc: 0.1 }, { acc: 0.5 }, { acc: null }])
      expect(cmp.differingParams).toEqual(['model'])
    })

    it('stores, lists and streams run artifacts, refusing traversal', async () => {
      const run = await t.createRun(ctx)
      const id = run.info.runId
      const bytes = (s: string) =>
        (async function* () {
          await Promise.resolve()
          yield Buffer.from(s)
        })()
      await t.uploadRunArtifact(ctx, id, bytes('{"a":1}'), { path: 'model/model.json' })
      await t.uploadRunArtifact(ctx, id, bytes('x'), { path: 'model/sub/data.bin' })
      await t.uploadRunArtifact(ctx, id, bytes('hello'), { path: 'notes.txt' })
      await t.uploadRunArtifact(ctx, id, bytes('hello again'), { path: 'notes.txt' })
      const root = await t.listRunArtifacts(ctx, id)
      expect(root.rootUri).toBe(run.info.artifactUri)
      expect(root.items).toEqual([
        { path: 'model', isDir: true },
        { path: 'notes.txt', isDir: false, fileSize: 11 },
      ])
      expect((await t.listRunArtifacts(ctx, id, { path: 'model' })).items).toEqual([
        { path: 'model/sub', isDir: true },
        { path: 'model/model.json', isDir: false, fileSize: 7 },
      ])
      const { artifact, body } = await t.openRunArtifact(ctx, id, 'notes.txt')
      expect(artifact.mediaType).toBe('text/plain')
      let text = ''
      for await (const c of body) text += (c as Buffer).toString()
      expect(text).toBe('hello again')
      for (const bad of ['../x', '/etc/passwd', 'a/../../b', 'a\\b', 'a//b', './a', 'C:/x', '']) {
        await expect(
          t.uploadRunArtifact(ctx, id, bytes('x'), { path: bad }),
          bad,
        ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      }
      await expect(t.openRunArtifact(ctx, id, '../../etc/passwd')).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      await expect(t.openRunArtifact(ctx, id, 'model')).rejects.toMatchObject({ code: 'NOT_FOUND' })
      // A file cannot be where a directory is, nor under a file.
      await expect(
        t.uploadRunArtifact(ctx, id, bytes('x'), { path: 'model' }),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      await expect(
        t.uploadRunArtifact(ctx, id, bytes('x'), { path: 'notes.txt/inner' }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      await t.deleteRunArtifact(ctx, id, 'notes.txt')
      await expect(t.openRunArtifact(ctx, id, 'notes.txt')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      })
    })

    it('links dataset inputs to Plinth dataset versions', async () => {
      const csv = path.join(dir, 'small.csv')
      writeFileSync(csv, 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n')
      const { version } = await platform.services.datasets.ingestDataset(
        ctx,
        parseSource(csv, { cwd: dir }),
        { name: 'small' },
      )
      const run = await t.createRun(ctx)
      const id = run.info.runId
      await t.logInputs(ctx, id, [
        { datasetVersion: 'small@1', context: 'training' },
        { datasetVersion: 'small@1', context: 'training' },
        {
          dataset: { name: 'external', digest: 'abc', sourceType: 'http', source: '{"url":"x"}' },
          tags: [{ key: 'mlflow.data.context', value: 'test' }],
        },
      ])
      const got = await t.getRun(ctx, id)
      expect(got.inputs.datasetInputs).toHaveLength(2)
      const plinth = got.inputs.datasetInputs.find((d) => d.datasetVersionId !== null)
      expect(plinth).toMatchObject({
        dataset: { name: 'small', digest: version.digest, sourceType: 'plinth-dataset' },
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        datasetVersionId: version.id,
      })
      await expect(
        t.logInputs(ctx, id, [{ datasetVersion: 'small@7', context: 'test' }]),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
      })
      await expect(t.logInputs(ctx, id, [{ context: 'test' }])).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      expect((await t.listRunsByDatasetVersion(ctx, version.id)).map((r) => r.runId)).toEqual([id])
      const found = await t.searchRuns(ctx, {
        experimentIds: ['0'],
        filter: "datasets.name = 'small' AND datasets.context = 'training'",
      })
      expect(found.items.map((r) => r.info.runId)).toEqual([id])
    })

    it('keeps runs of one workspace invisible from another', async () => {
      const run = await t.createRun(ctx)
      await platform.services.workspaces.createWorkspace(ctx, { id: 'trk-other' })
      const other = createContext({ workspace: 'trk-other' as RequestContext['workspace'] })
      await expect(t.getRun(other, run.info.runId)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      expect((await t.getExperiment(other, '0')).name).toBe('Default')
      expect((await t.searchRuns(other, { experimentIds: ['0'] })).items).toEqual([])
    })
  })
}
