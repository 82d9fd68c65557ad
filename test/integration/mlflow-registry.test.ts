import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { MLFLOW_TEST_BACKENDS, createMlflowTestApp, type MlflowTestApp } from './mlflow-app.js'

let t: MlflowTestApp
let experimentId: string
let runId: string

for (const backend of MLFLOW_TEST_BACKENDS) {
  describe.skipIf(!backend.enabled)(`MLflow registry API on ${backend.name}`, () => {
    beforeAll(async () => {
      t = await createMlflowTestApp({}, backend.env())
      experimentId = (await t.call('POST', 'experiments/create', { name: 'registry' })).json<{
        experiment_id: string
      }>().experiment_id
      runId = (await t.call('POST', 'runs/create', { experiment_id: experimentId })).json<{
        run: { info: { run_id: string } }
      }>().run.info.run_id
    })

    afterAll(async () => {
      await t.close()
    })

    function expectMlflowError(
      res: { statusCode: number; json: () => unknown },
      status: number,
      code: string,
    ): void {
      const body = res.json() as { error_code?: string; message?: unknown }
      expect({ status: res.statusCode, code: body.error_code }).toEqual({ status, code })
      expect(typeof body.message).toBe('string')
    }

    interface VersionJson {
      name: string
      version: string
      current_stage: string
      status: string
      source: string
      run_id?: string
      description?: string
      aliases?: string[]
      tags?: { key: string; value: string }[]
      creation_timestamp: number
      last_updated_timestamp: number
    }

    async function createModel(name: string) {
      const res = await t.call('POST', 'registered-models/create', { name })
      expect(res.statusCode, res.body).toBe(200)
    }

    async function createVersion(name: string, extra: Record<string, unknown> = {}) {
      const res = await t.call('POST', 'model-versions/create', {
        name,
        source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
        run_id: runId,
        ...extra,
      })
      expect(res.statusCode, res.body).toBe(200)
      return res.json<{ model_version: VersionJson }>().model_version
    }

    describe('registered models', () => {
      it('creates, gets, renames, describes, tags and deletes', async () => {
        const res = await t.call('POST', 'registered-models/create', {
          name: 'rm-crud',
          description: 'first',
          tags: [{ key: 'team', value: 'a' }],
        })
        expect(res.statusCode, res.body).toBe(200)
        const created = res.json<{ registered_model: Record<string, unknown> }>().registered_model
        expect(created).toMatchObject({
          name: 'rm-crud',
          description: 'first',
          tags: [{ key: 'team', value: 'a' }],
        })
        expect(typeof created['creation_timestamp']).toBe('number')
        expect(typeof created['last_updated_timestamp']).toBe('number')
        expect(created['latest_versions']).toBeUndefined()

        const got = await t.call('GET', 'registered-models/get', { name: 'rm-crud' })
        expect(got.json<{ registered_model: { name: string } }>().registered_model.name).toBe(
          'rm-crud',
        )

        const renamed = await t.call('POST', 'registered-models/rename', {
          name: 'rm-crud',
          new_name: 'rm-crud-2',
        })
        expect(renamed.statusCode, renamed.body).toBe(200)
        expect(renamed.json<{ registered_model: { name: string } }>().registered_model.name).toBe(
          'rm-crud-2',
        )
        const updated = await t.call('PATCH', 'registered-models/update', {
          name: 'rm-crud-2',
          description: 'second',
        })
        expect(
          updated.json<{ registered_model: { description: string } }>().registered_model
            .description,
        ).toBe('second')

        expect(
          (
            await t.call('POST', 'registered-models/set-tag', {
              name: 'rm-crud-2',
              key: 'k',
              value: 'v',
            })
          ).statusCode,
        ).toBe(200)
        const delTag = await t.call('DELETE', 'registered-models/delete-tag', {
          name: 'rm-crud-2',
          key: 'team',
        })
        expect(delTag.statusCode, delTag.body).toBe(200)
        const tags = (await t.call('GET', 'registered-models/get', { name: 'rm-crud-2' })).json<{
          registered_model: { tags: unknown[] }
        }>().registered_model.tags
        expect(tags).toEqual([{ key: 'k', value: 'v' }])

        const del = await t.call('DELETE', 'registered-models/delete', { name: 'rm-crud-2' })
        expect(del.statusCode).toBe(200)
        expect(del.json()).toEqual({})
        expectMlflowError(
          await t.call('GET', 'registered-models/get', { name: 'rm-crud-2' }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
      })

      it('answers MLflow error codes', async () => {
        await createModel('rm-dup')
        expectMlflowError(
          await t.call('POST', 'registered-models/create', { name: 'rm-dup' }),
          400,
          'RESOURCE_ALREADY_EXISTS',
        )
        expectMlflowError(
          await t.call('POST', 'registered-models/create', {}),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('POST', 'registered-models/create', { name: 'a/b' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('GET', 'registered-models/get', { name: 'no-such-model' }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
        // A DELETE's fields may also come in the query string.
        const res = await t.inject({
          method: 'DELETE',
          url: '/api/2.0/mlflow/registered-models/delete?name=rm-dup',
        })
        expect(res.statusCode, res.body).toBe(200)
      })

      it('searches with filter, order_by and page tokens', async () => {
        for (const n of ['srch-x', 'srch-y', 'srch-z']) await createModel(n)
        const first = await t.call('GET', 'registered-models/search', {
          filter: "name LIKE 'srch-%'",
          order_by: ['name DESC'],
          max_results: 2,
        })
        expect(first.statusCode, first.body).toBe(200)
        const p1 = first.json<{ registered_models: { name: string }[]; next_page_token?: string }>()
        expect(p1.registered_models.map((m) => m.name)).toEqual(['srch-z', 'srch-y'])
        const second = await t.call('GET', 'registered-models/search', {
          filter: "name LIKE 'srch-%'",
          order_by: ['name DESC'],
          max_results: 2,
          page_token: p1.next_page_token,
        })
        const p2 = second.json<{
          registered_models: { name: string }[]
          next_page_token?: string
        }>()
        expect(p2.registered_models.map((m) => m.name)).toEqual(['srch-x'])
        expect(p2.next_page_token).toBeUndefined()
        expectMlflowError(
          await t.call('GET', 'registered-models/search', { page_token: 'bogus' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('GET', 'registered-models/search', { max_results: 1001 }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
      })
    })

    describe('model versions and aliases', () => {
      it('creates versions with MLflow’s shape, numbered by the server', async () => {
        await createModel('mv-shape')
        const v1 = await createVersion('mv-shape', {
          description: 'v one',
          tags: [{ key: 'k', value: 'v' }],
        })
        expect(v1).toMatchObject({
          name: 'mv-shape',
          version: '1',
          current_stage: 'None',
          status: 'READY',
          source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
          run_id: runId,
          description: 'v one',
          tags: [{ key: 'k', value: 'v' }],
        })
        expect(typeof v1.creation_timestamp).toBe('number')
        const v2 = await createVersion('mv-shape')
        expect(v2.version).toBe('2')
        const runs = await t.call('POST', 'model-versions/create', {
          name: 'mv-shape',
          source: `runs:/${runId}/model`,
        })
        expect(runs.statusCode, runs.body).toBe(200)
        expect(runs.json<{ model_version: VersionJson }>().model_version.version).toBe('3')

        const got = await t.call('GET', 'model-versions/get', { name: 'mv-shape', version: '2' })
        expect(got.json<{ model_version: VersionJson }>().model_version.version).toBe('2')
        const uri = await t.call('GET', 'model-versions/get-download-uri', {
          name: 'mv-shape',
          version: '3',
        })
        expect(uri.json()).toEqual({
          artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
        })
        const model = (await t.call('GET', 'registered-models/get', { name: 'mv-shape' })).json<{
          registered_model: { latest_versions: VersionJson[] }
        }>().registered_model
        expect(model.latest_versions.map((v) => v.version)).toEqual(['3'])
      })

      it('refuses sources outside the server’s runs (CVE-2023-1177 and kin)', async () => {
        await createModel('mv-source')
        for (const source of [
          '/etc',
          'file:///etc/passwd',
          'FILE:///etc',
          'http://169.254.169.254/latest',
          'https://example.com/model',
          's3://bucket/model',
          '../../etc',
          'mlflow-artifacts:/../../etc',
          `mlflow-artifacts:/${experimentId}/${runId}/artifacts/../../../x`,
          `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model#/../../x`,
          `mlflow-artifacts:/${experimentId}/${runId}/artifacts/%2e%2e/x`,
          `mlflow-artifacts://evil.example/${experimentId}/${runId}/artifacts/model`,
          'runs:/../../etc',
          `runs:/${runId}/../../../etc`,
          'models:/other/1',
        ]) {
          const res = await t.call('POST', 'model-versions/create', { name: 'mv-source', source })
          expect(res.statusCode, source).toBe(400)
          expect(res.json<{ error_code: string }>().error_code, source).toBe(
            'INVALID_PARAMETER_VALUE',
          )
        }
        expectMlflowError(
          await t.call('POST', 'model-versions/create', {
            name: 'mv-source',
            source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
            run_id: 'f'.repeat(32),
          }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('POST', 'model-versions/create', {
            name: 'no-such-model',
            source: `runs:/${runId}/model`,
          }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
      })

      it('updates, tags, transitions stages, searches and deletes versions', async () => {
        await createModel('mv-ops')
        await createVersion('mv-ops')
        await createVersion('mv-ops')
        const upd = await t.call('PATCH', 'model-versions/update', {
          name: 'mv-ops',
          version: '1',
          description: 'described',
        })
        expect(upd.json<{ model_version: VersionJson }>().model_version.description).toBe(
          'described',
        )
        expect(
          (
            await t.call('POST', 'model-versions/set-tag', {
              name: 'mv-ops',
              version: '1',
              key: 'a',
              value: 'b',
            })
          ).statusCode,
        ).toBe(200)
        const delTag = await t.call('DELETE', 'model-versions/delete-tag', {
          name: 'mv-ops',
          version: '1',
          key: 'a',
        })
        expect(delTag.statusCode, delTag.body).toBe(200)

        const staged = await t.call('POST', 'model-versions/transition-stage', {
          name: 'mv-ops',
          version: '1',
          stage: 'Production',
          archive_existing_versions: false,
        })
        expect(staged.statusCode, staged.body).toBe(200)
        expect(staged.json<{ model_version: VersionJson }>().model_version.current_stage).toBe(
          'Production',
        )
        const latest = await t.call('POST', 'registered-models/get-latest-versions', {
          name: 'mv-ops',
          stages: ['Production'],
        })
        expect(
          latest.json<{ model_versions: VersionJson[] }>().model_versions.map((v) => v.version),
        ).toEqual(['1'])
        const latestGet = await t.call('GET', 'registered-models/get-latest-versions', {
          name: 'mv-ops',
        })
        expect(latestGet.statusCode).toBe(200)
        expectMlflowError(
          await t.call('POST', 'model-versions/transition-stage', {
            name: 'mv-ops',
            version: '1',
            stage: 'Nowhere',
            archive_existing_versions: false,
          }),
          400,
          'INVALID_PARAMETER_VALUE',
        )

        const search = await t.call('GET', 'model-versions/search', {
          filter: "name = 'mv-ops'",
          order_by: ['version_number DESC'],
          max_results: 1,
        })
        expect(search.statusCode, search.body).toBe(200)
        const page = search.json<{ model_versions: VersionJson[]; next_page_token?: string }>()
        expect(page.model_versions.map((v) => v.version)).toEqual(['2'])
        expect(page.next_page_token).toBeDefined()
        const next = await t.call('GET', 'model-versions/search', {
          filter: "name = 'mv-ops'",
          order_by: ['version_number DESC'],
          max_results: 1,
          page_token: page.next_page_token,
        })
        expect(
          next.json<{ model_versions: VersionJson[] }>().model_versions.map((v) => v.version),
        ).toEqual(['1'])
        expectMlflowError(
          await t.call('GET', 'model-versions/search', { page_token: 'nope' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )

        const del = await t.call('DELETE', 'model-versions/delete', {
          name: 'mv-ops',
          version: '2',
        })
        expect(del.statusCode, del.body).toBe(200)
        expectMlflowError(
          await t.call('GET', 'model-versions/get', { name: 'mv-ops', version: '2' }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
        expectMlflowError(
          await t.call('GET', 'model-versions/get', { name: 'mv-ops', version: 'x' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
      })

      it('sets, moves, reads and deletes aliases', async () => {
        await createModel('mv-alias')
        await createVersion('mv-alias')
        await createVersion('mv-alias')
        const set = await t.call('POST', 'registered-models/alias', {
          name: 'mv-alias',
          alias: 'champion',
          version: '1',
        })
        expect(set.statusCode, set.body).toBe(200)
        expect(set.json()).toEqual({})
        await t.call('POST', 'registered-models/alias', {
          name: 'mv-alias',
          alias: 'champion',
          version: '2',
        })
        const got = await t.call('GET', 'registered-models/alias', {
          name: 'mv-alias',
          alias: 'champion',
        })
        expect(got.statusCode).toBe(200)
        const mv = got.json<{ model_version: VersionJson }>().model_version
        expect(mv).toMatchObject({ version: '2', aliases: ['champion'] })
        const model = (await t.call('GET', 'registered-models/get', { name: 'mv-alias' })).json<{
          registered_model: { aliases: unknown[] }
        }>().registered_model
        expect(model.aliases).toEqual([{ alias: 'champion', version: '2' }])

        expectMlflowError(
          await t.call('POST', 'registered-models/alias', {
            name: 'mv-alias',
            alias: 'latest',
            version: '1',
          }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('POST', 'registered-models/alias', {
            name: 'mv-alias',
            alias: 'c',
            version: '9',
          }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
        const del = await t.call('DELETE', 'registered-models/alias', {
          name: 'mv-alias',
          alias: 'champion',
        })
        expect(del.statusCode, del.body).toBe(200)
        expectMlflowError(
          await t.call('GET', 'registered-models/alias', { name: 'mv-alias', alias: 'champion' }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
      })
    })
  })
}
