import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  NotFoundError,
  PlatformError,
  ValidationError,
  createContext,
  toWorkspaceId,
} from '../../src/core/index.js'
import { columnFromArray, createFrame } from '../../src/frame/index.js'
import { createEstimator, type Predictor } from '../../src/ml/index.js'
import type { MetadataStore } from '../../src/ports/index.js'
import { renderModelCardMarkdown, type RegistryRun } from '../../src/registry/index.js'
import { rejectionOf } from '../../src/test-support/index.js'
import {
  createRegistryFixture,
  describeOnBackends,
  uniqueName,
  type OpenedStore,
  type RegistryFixture,
} from '../support/registry.js'

const ctx = createContext()

function codeOf(err: unknown): string | undefined {
  return err instanceof PlatformError ? err.code : undefined
}

const X = createFrame([
  columnFromArray('x1', [0, 1, 2, 3, 4, 5, 6, 7], 'f64'),
  columnFromArray('x2', [1, 0, 1, 0, 1, 0, 1, 0], 'f64'),
])
const y = columnFromArray('y', [0, 0, 0, 0, 1, 1, 1, 1], 'i32')

/** A run that logged a Plinth model the way tracking's `logModel` does. */
function plinthRun(f: RegistryFixture, init: Partial<RegistryRun> = {}): RegistryRun {
  const run = f.runs.addRun({
    metrics: { accuracy: 0.9, logloss: 0.3 },
    inputs: [
      {
        datasetName: 'churn',
        digest: 'sha256:aa',
        context: 'training',
        datasetVersionId: 'd'.repeat(32),
      },
    ],
    ...init,
  })
  const model = createEstimator('linear.logistic').fit(X, y)
  f.runs.putJson(run.id, 'model/model.json', model.toJSON())
  f.runs.putJson(run.id, 'model/plinth-model.json', {
    format: 'plinth-model',
    formatVersion: 1,
    kind: model.kind,
    featureNames: ['x1', 'x2'],
    signature: {
      inputs: [
        { name: 'x1', type: 'double' },
        { name: 'x2', type: 'double' },
      ],
      outputs: [{ name: 'prediction', type: 'long' }],
    },
    inputExample: [{ x1: 1, x2: 0 }],
    createdAt: 1_700_000_000_000,
  })
  return run
}

describeOnBackends('RegistryService', (backend) => {
  let opened: OpenedStore
  let store: MetadataStore
  let f: RegistryFixture

  beforeAll(async () => {
    opened = await backend.open()
    store = opened.store
    f = createRegistryFixture(store)
  })
  afterAll(async () => {
    await opened.cleanup()
  })

  describe('registered models', () => {
    it('creates, gets, renames, describes and deletes', async () => {
      const name = uniqueName()
      const m = await f.registry.createRegisteredModel(ctx, {
        name,
        description: 'churn scorer',
        tags: [{ key: 'team', value: 'risk' }],
      })
      expect(m).toMatchObject({
        name,
        description: 'churn scorer',
        tags: { team: 'risk' },
        aliases: [],
        latestVersions: [],
        createdBy: 'local',
      })
      expect(await f.registry.getRegisteredModel(ctx, name)).toEqual(m)

      const renamed = await f.registry.renameRegisteredModel(ctx, name, `${name}-v2`)
      expect(renamed.name).toBe(`${name}-v2`)
      expect(await f.registry.findRegisteredModel(ctx, name)).toBeUndefined()
      const updated = await f.registry.updateRegisteredModel(ctx, `${name}-v2`, {
        description: 'new',
      })
      expect(updated.description).toBe('new')
      await f.registry.deleteRegisteredModel(ctx, `${name}-v2`)
      expect(await f.registry.findRegisteredModel(ctx, `${name}-v2`)).toBeUndefined()
      // The history outlives the model.
      const history = await f.registry.listAuditEvents(ctx, `${name}-v2`)
      expect(history.items.map((e) => [e.action, e.from, e.to])).toEqual([
        ['model.created', null, null],
        ['model.renamed', name, `${name}-v2`],
        ['model.deleted', `${name}-v2`, null],
      ])
      expect(f.events.map((e) => e.type)).toEqual(
        expect.arrayContaining(['model.created', 'model.renamed', 'model.deleted']),
      )
    })

    it('refuses a duplicate name with ALREADY_EXISTS, also on rename', async () => {
      const a = uniqueName()
      const b = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name: a })
      await f.registry.createRegisteredModel(ctx, { name: b })
      const dup = await rejectionOf(f.registry.createRegisteredModel(ctx, { name: a }))
      expect(dup).toMatchObject({ code: 'ALREADY_EXISTS', details: { name: a } })
      expect(codeOf(await rejectionOf(f.registry.renameRegisteredModel(ctx, b, a)))).toBe(
        'ALREADY_EXISTS',
      )
    })

    it('keeps names per workspace', async () => {
      const name = uniqueName()
      await f.registry.deps.workspaces.createWorkspace(ctx, { id: `ws-${name}` })
      const other = createContext({ workspace: toWorkspaceId(`ws-${name}`) })
      await f.registry.createRegisteredModel(ctx, { name })
      await f.registry.createRegisteredModel(other, { name })
      expect(await f.registry.findRegisteredModel(other, name)).toBeDefined()
      await f.registry.createModelVersion(other, { name, source: 's3://other/1' })
      await f.registry.setRegisteredModelAlias(other, name, 'champion', 1)
      expect(await f.registry.findModelVersion(ctx, name, 1)).toBeUndefined()
      expect(
        codeOf(await rejectionOf(f.registry.getModelVersionByAlias(ctx, name, 'champion'))),
      ).toBe('NOT_FOUND')
      expect(
        (await f.registry.searchModelVersions(ctx, { filter: `name = '${name}'` })).items,
      ).toEqual([])
      await f.registry.deleteRegisteredModel(other, name)
      expect(await f.registry.findRegisteredModel(ctx, name)).toBeDefined()
    })

    it('reports unknown models and bad input precisely', async () => {
      const missing = await rejectionOf(f.registry.getRegisteredModel(ctx, 'no-such-model'))
      expect(missing).toBeInstanceOf(NotFoundError)
      expect(missing).toMatchObject({ message: "registered model 'no-such-model' not found" })
      for (const op of [
        () => f.registry.deleteRegisteredModel(ctx, 'no-such-model'),
        () => f.registry.renameRegisteredModel(ctx, 'no-such-model', 'x'),
        () => f.registry.setRegisteredModelTag(ctx, 'no-such-model', 'k', 'v'),
        () => f.registry.getLatestVersions(ctx, 'no-such-model'),
      ]) {
        expect(codeOf(await rejectionOf(op()))).toBe('NOT_FOUND')
      }
      const bad = await rejectionOf(f.registry.createRegisteredModel(ctx, { name: 'a/b' }))
      expect(bad).toBeInstanceOf(ValidationError)
      expect((bad as ValidationError).issues).toEqual([
        { path: ['name'], code: 'invalid_format', message: "must not contain '/' or '@'" },
      ])
      expect(codeOf(await rejectionOf(f.registry.createRegisteredModel(ctx, { name: '' })))).toBe(
        'INVALID_ARGUMENT',
      )
    })

    it('sets and deletes tags', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      await f.registry.setRegisteredModelTag(ctx, name, 'owner', 'ana')
      await f.registry.setRegisteredModelTag(ctx, name, 'owner', 'bo')
      expect((await f.registry.getRegisteredModel(ctx, name)).tags).toEqual({ owner: 'bo' })
      await f.registry.deleteRegisteredModelTag(ctx, name, 'owner')
      expect((await f.registry.getRegisteredModel(ctx, name)).tags).toEqual({})
      expect(
        codeOf(await rejectionOf(f.registry.deleteRegisteredModelTag(ctx, name, 'owner'))),
      ).toBe('NOT_FOUND')
      expect(codeOf(await rejectionOf(f.registry.setRegisteredModelTag(ctx, name, '', 'x')))).toBe(
        'INVALID_ARGUMENT',
      )
    })

    it('treats only % and _ as LIKE wildcards, with no escape character, on both engines', async () => {
      const p = uniqueName('like')
      for (const n of ['a[1]', 'a1', 'a*b', 'axb', 'a?c', 'a\\d', 'a%e']) {
        await f.registry.createRegisteredModel(ctx, { name: `${p}-${n}` })
      }
      const names = async (filter: string): Promise<string[]> =>
        (await f.registry.searchRegisteredModels(ctx, { filter })).items
          .map((m) => m.name.slice(p.length + 1))
          .sort()
      expect(await names(`name LIKE '${p}-a[%'`)).toEqual(['a[1]'])
      expect(await names(`name LIKE '${p}-a*%'`)).toEqual(['a*b'])
      expect(await names(`name LIKE '${p}-a?%'`)).toEqual(['a?c'])
      expect(await names(`name LIKE '${p}-a\\%'`)).toEqual(['a\\d'])
      expect(await names(`name LIKE '${p}-a_b'`)).toEqual(['a*b', 'axb'])
      expect(await names(`name ILIKE '${p}-A%E'`)).toEqual(['a%e'])
    })

    it('searches with MLflow filters, order_by and page tokens, LIKE case-sensitive on both engines', async () => {
      const p = uniqueName('srch')
      for (const n of ['Alpha', 'alpha', 'beta', 'gamma']) {
        await f.registry.createRegisteredModel(ctx, {
          name: `${p}-${n}`,
          tags: { kind: n === 'beta' ? 'b' : 'other' },
        })
        f.clock.advance(10)
      }
      const names = async (filter: string, orderBy?: string[]): Promise<string[]> =>
        (
          await f.registry.searchRegisteredModels(ctx, {
            filter,
            ...(orderBy === undefined ? {} : { orderBy }),
          })
        ).items.map((m) => m.name.slice(p.length + 1))
      expect(await names(`name LIKE '${p}-a%'`)).toEqual(['alpha'])
      expect(await names(`name ILIKE '${p}-a%'`)).toEqual(['Alpha', 'alpha'])
      expect(await names(`name LIKE '${p}-_eta'`)).toEqual(['beta'])
      expect(await names(`name LIKE '${p}%' AND tags.kind = 'b'`)).toEqual(['beta'])
      expect(await names(`name = '${p}-gamma'`)).toEqual(['gamma'])
      expect(await names(`name LIKE '${p}%'`, ['last_updated_timestamp DESC'])).toEqual([
        'gamma',
        'beta',
        'alpha',
        'Alpha',
      ])
      const page1 = await f.registry.searchRegisteredModels(ctx, {
        filter: `name LIKE '${p}%'`,
        maxResults: 3,
      })
      expect(page1.items).toHaveLength(3)
      expect(page1.nextPageToken).toBeDefined()
      const page2 = await f.registry.searchRegisteredModels(ctx, {
        filter: `name LIKE '${p}%'`,
        maxResults: 3,
        pageToken: page1.nextPageToken ?? '',
      })
      expect(page2.items.map((m) => m.name)).toEqual([`${p}-gamma`])
      expect(page2.nextPageToken).toBeUndefined()
      expect(
        codeOf(await rejectionOf(f.registry.searchRegisteredModels(ctx, { maxResults: 1001 }))),
      ).toBe('INVALID_ARGUMENT')
      expect(
        codeOf(await rejectionOf(f.registry.searchRegisteredModels(ctx, { filter: 'owner = 1' }))),
      ).toBe('INVALID_ARGUMENT')
    })
  })

  describe('model versions', () => {
    it('registers a Plinth run model with signature, example, metrics and dataset lineage', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      const run = plinthRun(f)
      const v = await f.registry.createModelVersion(ctx, {
        name,
        source: `runs:/${run.id}/model`,
        tags: { note: 'first' },
        description: 'logistic',
      })
      expect(v).toMatchObject({
        name,
        version: 1,
        runId: run.id,
        status: 'READY',
        stage: 'None',
        flavor: 'plinth',
        modelKind: 'linear.logistic',
        modelPath: 'model',
        description: 'logistic',
        tags: { note: 'first' },
        metrics: { accuracy: 0.9, logloss: 0.3 },
        inputExample: [{ x1: 1, x2: 0 }],
        datasets: [
          {
            datasetName: 'churn',
            digest: 'sha256:aa',
            context: 'training',
            datasetVersionId: 'd'.repeat(32),
          },
        ],
      })
      expect(v.signature?.inputs.map((c) => c.name)).toEqual(['x1', 'x2'])
      const history = await f.registry.listAuditEvents(ctx, name, { version: 1 })
      expect(history.items.map((e) => [e.action, e.from, e.to])).toEqual([
        ['version.created', null, `runs:/${run.id}/model`],
        ['status.changed', 'PENDING_REGISTRATION', 'READY'],
      ])
    })

    it('registers an MLflow client source under the run artifact root, and foreign sources', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      const run = plinthRun(f)
      const viaUri = await f.registry.createModelVersion(ctx, {
        name,
        source: `${run.artifactUri}/model`,
        runId: run.id,
      })
      expect(viaUri).toMatchObject({ flavor: 'plinth', modelPath: 'model', status: 'READY' })

      const sklearnRun = f.runs.addRun({ metrics: { r2: 0.5 } })
      const foreign = await f.registry.createModelVersion(ctx, {
        name,
        source: `runs:/${sklearnRun.id}/sk_model`,
      })
      expect(foreign).toMatchObject({
        version: 2,
        flavor: 'external',
        status: 'READY',
        signature: null,
        metrics: { r2: 0.5 },
      })
      const s3 = await f.registry.createModelVersion(ctx, {
        name,
        source: 's3://bucket/models/m1',
      })
      expect(s3).toMatchObject({ version: 3, runId: null, flavor: 'external', status: 'READY' })
      expect(await f.registry.getModelVersionDownloadUri(ctx, name, 2)).toBe(
        `${sklearnRun.artifactUri}/sk_model`,
      )
      expect(await f.registry.getModelVersionDownloadUri(ctx, name, '3')).toBe(
        's3://bucket/models/m1',
      )
    })

    it('marks malformed Plinth model files FAILED_REGISTRATION with a message', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      const run = f.runs.addRun()
      f.runs.putJson(run.id, 'model/plinth-model.json', {
        format: 'plinth-model',
        formatVersion: 9,
      })
      const v = await f.registry.createModelVersion(ctx, { name, source: `runs:/${run.id}/model` })
      expect(v.status).toBe('FAILED_REGISTRATION')
      expect(v.statusMessage).toMatch(/^model\/plinth-model\.json: plinth-model\.json is malformed/)
      const err = await rejectionOf(f.registry.loadModel(ctx, `models:/${name}/1`))
      expect(err).toMatchObject({ code: 'FAILED_PRECONDITION' })
      const future = plinthRun(f)
      f.runs.putJson(future.id, 'model/plinth-model.json', {
        format: 'plinth-model',
        formatVersion: 1,
        kind: 'tree.quantum-forest',
        featureNames: [],
        signature: { inputs: [], outputs: [] },
      })
      const v2 = await f.registry.createModelVersion(ctx, {
        name,
        source: `runs:/${future.id}/model`,
      })
      expect([v2.status, v2.statusMessage]).toEqual([
        'FAILED_REGISTRATION',
        "model/plinth-model.json: unknown model kind 'tree.quantum-forest'",
      ])
    })

    it('refuses bad version input', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      const cases: [() => Promise<unknown>, string][] = [
        [() => f.registry.createModelVersion(ctx, { name: 'nope', source: 's3://x' }), 'NOT_FOUND'],
        [
          () =>
            f.registry.createModelVersion(ctx, { name, source: `runs:/${'e'.repeat(32)}/model` }),
          'NOT_FOUND',
        ],
        [() => f.registry.createModelVersion(ctx, { name, source: '' }), 'INVALID_ARGUMENT'],
        [
          () => f.registry.createModelVersion(ctx, { name, source: 'runs:/abc/../x' }),
          'INVALID_ARGUMENT',
        ],
        [
          () => f.registry.createModelVersion(ctx, { name, source: 'runs:/abc/m', runId: 'def' }),
          'INVALID_ARGUMENT',
        ],
        [() => f.registry.getModelVersion(ctx, name, 1), 'NOT_FOUND'],
        [() => f.registry.getModelVersion(ctx, name, 'one'), 'INVALID_ARGUMENT'],
        [() => f.registry.getModelVersion(ctx, name, 0), 'INVALID_ARGUMENT'],
        [() => f.registry.getModelVersion(ctx, 'nope', 1), 'NOT_FOUND'],
        [() => f.registry.updateModelVersion(ctx, name, 7, { description: 'x' }), 'NOT_FOUND'],
        [() => f.registry.deleteModelVersion(ctx, name, 7), 'NOT_FOUND'],
      ]
      for (const [op, code] of cases) expect(codeOf(await rejectionOf(op()))).toBe(code)
      // Nothing was half-created by the failures.
      expect(
        (await f.registry.searchModelVersions(ctx, { filter: `name = '${name}'` })).items,
      ).toEqual([])
    })

    it('gives concurrent registrations distinct numbers and never reuses a deleted one', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      const made = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          f.registry.createModelVersion(ctx, { name, source: `s3://b/m${String(i)}` }),
        ),
      )
      expect(made.map((v) => v.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 12 }, (_, i) => i + 1),
      )
      await f.registry.deleteModelVersion(ctx, name, 12)
      const next = await f.registry.createModelVersion(ctx, { name, source: 's3://b/again' })
      expect(next.version).toBe(13)
    })

    it('updates descriptions, tags and searches versions', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      const run = plinthRun(f)
      await f.registry.createModelVersion(ctx, { name, source: `runs:/${run.id}/model` })
      await f.registry.createModelVersion(ctx, { name, source: 's3://b/x' })
      const v = await f.registry.updateModelVersion(ctx, name, 2, { description: 'second' })
      expect(v.description).toBe('second')
      await f.registry.setModelVersionTag(ctx, name, 2, 'validated', 'yes')
      expect((await f.registry.getModelVersion(ctx, name, 2)).tags).toEqual({ validated: 'yes' })
      const found = async (filter: string): Promise<number[]> =>
        (await f.registry.searchModelVersions(ctx, { filter })).items.map((x) => x.version)
      expect(await found(`name = '${name}'`)).toEqual([2, 1])
      expect(await found(`name = '${name}' AND run_id = '${run.id}'`)).toEqual([1])
      expect(await found(`name = '${name}' AND tags.validated = 'yes'`)).toEqual([2])
      expect(await found(`name = '${name}' AND version_number > 1`)).toEqual([2])
      expect(await found(`name = '${name}' AND source_path LIKE 's3://%'`)).toEqual([2])
      expect(
        (
          await f.registry.searchModelVersions(ctx, {
            filter: `name = '${name}'`,
            orderBy: ['version_number ASC'],
          })
        ).items.map((x) => x.version),
      ).toEqual([1, 2])
      await f.registry.deleteModelVersionTag(ctx, name, 2, 'validated')
      expect(
        codeOf(await rejectionOf(f.registry.deleteModelVersionTag(ctx, name, 2, 'validated'))),
      ).toBe('NOT_FOUND')
    })

    it('moves stages, archives existing versions, reports latest per stage, audits each change', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      for (let i = 0; i < 3; i++) {
        await f.registry.createModelVersion(ctx, { name, source: `s3://b/${String(i)}` })
      }
      await f.registry.transitionModelVersionStage(ctx, name, 1, 'production')
      await f.registry.transitionModelVersionStage(ctx, name, 2, 'Staging')
      const moved = await f.registry.transitionModelVersionStage(ctx, name, 3, 'Production', true)
      expect(moved.stage).toBe('Production')
      expect((await f.registry.getModelVersion(ctx, name, 1)).stage).toBe('Archived')
      const latest = await f.registry.getLatestVersions(ctx, name)
      expect(latest.map((v) => [v.version, v.stage])).toEqual([
        [1, 'Archived'],
        [2, 'Staging'],
        [3, 'Production'],
      ])
      expect(
        (await f.registry.getLatestVersions(ctx, name, ['Staging'])).map((v) => v.version),
      ).toEqual([2])
      expect((await f.registry.resolveModelUri(ctx, `models:/${name}/Production`)).version).toBe(3)
      expect((await f.registry.resolveModelUri(ctx, `models:/${name}/latest`)).version).toBe(3)
      const stages = await f.registry.listAuditEvents(ctx, name, { actions: ['stage.changed'] })
      expect(stages.items.map((e) => [e.version, e.from, e.to])).toEqual([
        [1, 'None', 'Production'],
        [2, 'None', 'Staging'],
        [3, 'None', 'Production'],
        [1, 'Production', 'Archived'],
      ])
      expect(
        codeOf(
          await rejectionOf(f.registry.transitionModelVersionStage(ctx, name, 1, 'None', true)),
        ),
      ).toBe('INVALID_ARGUMENT')
      expect(
        codeOf(await rejectionOf(f.registry.transitionModelVersionStage(ctx, name, 1, 'Prod'))),
      ).toBe('INVALID_ARGUMENT')
      expect(
        codeOf(await rejectionOf(f.registry.resolveModelUri(ctx, `models:/${name}/None`))),
      ).toBe('NOT_FOUND')
    })
  })

  describe('aliases', () => {
    it('sets, moves and deletes aliases, one version per alias, every move audited', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      for (let i = 0; i < 3; i++) {
        await f.registry.createModelVersion(ctx, { name, source: `s3://b/${String(i)}` })
      }
      const bob = createContext({ actor: 'system' as never })
      await f.registry.setRegisteredModelAlias(ctx, name, 'champion', 1)
      await f.registry.setRegisteredModelAlias(ctx, name, 'challenger', '2')
      f.clock.advance(5)
      await f.registry.setRegisteredModelAlias(bob, name, 'champion', 2)
      await f.registry.setRegisteredModelAlias(bob, name, 'champion', 2) // no move, no entry
      expect((await f.registry.getModelVersionByAlias(ctx, name, 'champion')).version).toBe(2)
      expect((await f.registry.getRegisteredModel(ctx, name)).aliases).toEqual([
        { alias: 'challenger', version: 2 },
        { alias: 'champion', version: 2 },
      ])
      expect((await f.registry.getModelVersion(ctx, name, 2)).aliases).toEqual([
        'challenger',
        'champion',
      ])
      expect((await f.registry.resolveModelUri(ctx, `models:/${name}@champion`)).version).toBe(2)
      await f.registry.deleteRegisteredModelAlias(ctx, name, 'challenger')
      const history = await f.registry.listAuditEvents(ctx, name, { alias: 'champion' })
      expect(history.items.map((e) => [e.action, e.from, e.to, e.actor])).toEqual([
        ['alias.set', null, '1', 'local'],
        ['alias.set', '1', '2', 'system'],
      ])
      const all = await f.registry.listAuditEvents(ctx, name, {
        actions: ['alias.set', 'alias.deleted'],
      })
      expect(all.items.map((e) => [e.alias, e.from, e.to])).toEqual([
        ['champion', null, '1'],
        ['challenger', null, '2'],
        ['champion', '1', '2'],
        ['challenger', '2', null],
      ])
      const aliasEvents = f.events.filter((e) => e.type === 'model.alias.changed')
      expect(aliasEvents.at(-1)?.payload).toEqual({
        name,
        alias: 'challenger',
        from: 2,
        to: null,
      })
    })

    it('audits concurrent moves of one alias as an unbroken chain', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      for (let i = 0; i < 6; i++) {
        await f.registry.createModelVersion(ctx, { name, source: `s3://b/${String(i)}` })
      }
      await Promise.all(
        [1, 2, 3, 4, 5, 6, 1, 2].map((v) =>
          f.registry.setRegisteredModelAlias(ctx, name, 'champion', v),
        ),
      )
      const moves = (await f.registry.listAuditEvents(ctx, name, { alias: 'champion' })).items
      expect(moves[0]?.from).toBeNull()
      for (let i = 1; i < moves.length; i++) {
        expect(moves[i]?.from, `move ${String(i)}`).toBe(moves[i - 1]?.to)
      }
      const final = await f.registry.getModelVersionByAlias(ctx, name, 'champion')
      expect(String(final.version)).toBe(moves.at(-1)?.to)
    })

    it('drops (and audits) the aliases of a deleted version', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      await f.registry.createModelVersion(ctx, { name, source: 's3://b/1' })
      await f.registry.setRegisteredModelAlias(ctx, name, 'champion', 1)
      await f.registry.deleteModelVersion(ctx, name, 1)
      expect((await f.registry.getRegisteredModel(ctx, name)).aliases).toEqual([])
      expect(
        codeOf(await rejectionOf(f.registry.getModelVersionByAlias(ctx, name, 'champion'))),
      ).toBe('NOT_FOUND')
      const history = await f.registry.listAuditEvents(ctx, name)
      expect(history.items.map((e) => e.action)).toEqual([
        'model.created',
        'version.created',
        'status.changed',
        'alias.set',
        'alias.deleted',
        'version.deleted',
      ])
    })

    it('refuses bad alias names and unknown targets', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      await f.registry.createModelVersion(ctx, { name, source: 's3://b/1' })
      for (const bad of ['latest', 'Latest', 'v1', 'V2', 'a b', 'a.b', '', 'x'.repeat(256)]) {
        const err = await rejectionOf(f.registry.setRegisteredModelAlias(ctx, name, bad, 1))
        expect(codeOf(err), bad).toBe('INVALID_ARGUMENT')
      }
      expect(
        codeOf(await rejectionOf(f.registry.setRegisteredModelAlias(ctx, name, 'champion', 9))),
      ).toBe('NOT_FOUND')
      expect(
        codeOf(await rejectionOf(f.registry.deleteRegisteredModelAlias(ctx, name, 'champion'))),
      ).toBe('NOT_FOUND')
      expect(
        codeOf(await rejectionOf(f.registry.setRegisteredModelAlias(ctx, 'nope', 'champion', 1))),
      ).toBe('NOT_FOUND')
      expect(codeOf(await rejectionOf(f.registry.resolveModelUri(ctx, `models:/${name}@v1`)))).toBe(
        'INVALID_ARGUMENT',
      )
      expect(
        (await f.registry.listAuditEvents(ctx, name, { actions: ['alias.set'] })).items,
      ).toEqual([])
    })
  })

  describe('loadModel, model cards and lineage', () => {
    it('loads a registered Plinth model by alias into a Predictor that predicts like the original', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      const run = plinthRun(f)
      await f.registry.createModelVersion(ctx, { name, source: `runs:/${run.id}/model` })
      await f.registry.setRegisteredModelAlias(ctx, name, 'champion', 1)
      const model: Predictor = await f.registry.loadModel(ctx, `models:/${name}@champion`)
      const original = createEstimator('linear.logistic').fit(X, y) as Predictor
      expect(Array.from(model.predict(X).values as ArrayLike<number>)).toEqual(
        Array.from(original.predict(X).values as ArrayLike<number>),
      )
      expect(model.featureNames).toEqual(['x1', 'x2'])
      const fromRun = await f.registry.loadModel(ctx, `runs:/${run.id}/model`)
      expect(fromRun.toJSON()).toEqual(model.toJSON())
      expect(
        codeOf(await rejectionOf(f.registry.loadModel(ctx, `runs:/${'0'.repeat(32)}/model`))),
      ).toBe('NOT_FOUND')
      expect(codeOf(await rejectionOf(f.registry.loadModel(ctx, `runs:/${run.id}/nothing`)))).toBe(
        'FAILED_PRECONDITION',
      )
    })

    it('explains why a foreign version cannot be loaded', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      await f.registry.createModelVersion(ctx, { name, source: 's3://bucket/sklearn-model' })
      const err = await rejectionOf(f.registry.loadModel(ctx, `models:/${name}/1`))
      expect(err).toMatchObject({
        code: 'FAILED_PRECONDITION',
        message: `version 1 of '${name}' holds no Plinth model (registered from 's3://bucket/sklearn-model', an external flavor); load it with the MLflow flavor that logged it`,
      })
      const gone = plinthRun(f)
      await f.registry.createModelVersion(ctx, { name, source: `runs:/${gone.id}/model` })
      f.runs.files.delete(`${gone.id}/model/model.json`)
      expect(await rejectionOf(f.registry.loadModel(ctx, `models:/${name}/2`))).toMatchObject({
        code: 'FAILED_PRECONDITION',
        message: `version 2 of '${name}': model/model.json is missing from run ${gone.id}`,
      })
      expect(codeOf(await rejectionOf(f.registry.loadModel(ctx, `models:/${name}`)))).toBe(
        'INVALID_ARGUMENT',
      )
    })

    it('builds a model card with metrics against a baseline run of the same experiment', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, {
        name,
        description: 'Scores churn risk for retention offers.',
        tags: { 'plinth.limitations': 'Not for credit decisions.' },
      })
      const experimentId = `exp-${name}`
      f.runs.addRun({
        experimentId,
        tags: { 'plinth.role': 'baseline' },
        metrics: { accuracy: 0.7, logloss: 0.6 },
      })
      const run = plinthRun(f, { experimentId })
      await f.registry.createModelVersion(ctx, { name, source: `runs:/${run.id}/model` })
      const card = await f.registry.getModelCard(ctx, name, 1)
      expect(card.intendedUse).toBe('Scores churn risk for retention offers.')
      expect(card.metrics.rows).toEqual([
        { key: 'accuracy', value: 0.9, baseline: 0.7, delta: expect.closeTo(0.2, 12) as number },
        { key: 'logloss', value: 0.3, baseline: 0.6, delta: expect.closeTo(-0.3, 12) as number },
      ])
      expect(card.metrics.baselineRule).toBe(
        `newest run of experiment ${experimentId} tagged plinth.role=baseline`,
      )
      expect(card.limitations[0]).toBe('Not for credit decisions.')
      expect(card.signature?.inputs).toHaveLength(2)
      const md = renderModelCardMarkdown(card)
      expect(md).toContain(`# Model card: ${name} v1`)
      expect(md).toContain('| accuracy | 0.9000 | 0.7000 | 0.2000 |')
      expect(md).toContain('## Limitations\n\n- Not for credit decisions.')
      expect(JSON.parse(JSON.stringify(card))).toEqual(card)

      // An explicit baseline tag wins over the role convention.
      const other = f.runs.addRun({ metrics: { accuracy: 0.5 } })
      await f.registry.setModelVersionTag(ctx, name, 1, 'plinth.baseline_run_id', other.id)
      const card2 = await f.registry.getModelCard(ctx, name, 1)
      expect(card2.metrics.baselineRunId).toBe(other.id)
      expect(card2.metrics.rows.find((r) => r.key === 'logloss')?.baseline).toBeNull()
    })

    it('says when there is no baseline and the model is external', async () => {
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      await f.registry.createModelVersion(ctx, { name, source: 's3://x/y' })
      const card = await f.registry.getModelCard(ctx, name, 1)
      expect(card.intendedUse).toBe('Not documented.')
      expect(card.limitations).toEqual([
        'Registered from an external source (s3://x/y); Plinth can neither load nor check it.',
        'No input schema was recorded, so inputs are not checked.',
        'No training dataset was recorded with the run.',
        'No baseline to compare against: tag a run of the experiment plinth.role=baseline, or set plinth.baseline_run_id on the version or its run.',
      ])
    })

    it('answers lineage from a dataset version to runs to model versions, and back', async () => {
      const dsv = 'a'.repeat(31) + 'b'
      const input = {
        datasetName: 'churn',
        digest: 'sha256:bb',
        context: 'training',
        datasetVersionId: dsv,
      }
      const name = uniqueName()
      await f.registry.createRegisteredModel(ctx, { name })
      const r1 = plinthRun(f, { inputs: [input] })
      const r2 = f.runs.addRun({ inputs: [{ ...input, context: 'validation' }] })
      await f.registry.createModelVersion(ctx, { name, source: `runs:/${r1.id}/model` })
      await f.registry.setRegisteredModelAlias(ctx, name, 'champion', 1)
      const down = await f.registry.getDatasetLineage(ctx, dsv)
      expect(down.dataset).toMatchObject({
        datasetVersionId: dsv,
        datasetName: 'churn',
        digest: 'sha256:bb',
      })
      expect(
        down.runs.map((r) => [r.runId, r.contexts, r.modelVersions.map((v) => v.uri)]),
      ).toEqual([
        [r2.id, ['validation'], []],
        [r1.id, ['training'], [`models:/${name}/1`]],
      ])
      expect(down.modelVersions).toEqual([
        {
          name,
          version: 1,
          uri: `models:/${name}/1`,
          status: 'READY',
          aliases: ['champion'],
          runId: r1.id,
        },
      ])
      const up = await f.registry.getModelVersionLineage(ctx, name, 1)
      expect(up.run?.runId).toBe(r1.id)
      expect(up.datasets).toEqual([{ ...input, version: null }])
      // Lineage copied at registration survives the run disappearing from tracking.
      f.runs.runs.delete(r1.id)
      const later = await f.registry.getDatasetLineage(ctx, dsv)
      expect(later.modelVersions.map((v) => v.uri)).toEqual([`models:/${name}/1`])
      expect(codeOf(await rejectionOf(f.registry.getDatasetLineage(ctx, 'churn@1')))).toBe(
        'INVALID_ARGUMENT',
      )
    })
  })
})
