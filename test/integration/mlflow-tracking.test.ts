import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { MLFLOW_TEST_BACKENDS, createMlflowTestApp, type MlflowTestApp } from './mlflow-app.js'

let t: MlflowTestApp

interface RunJson {
  info: Record<string, unknown> & { run_id: string; experiment_id: string }
  data: {
    metrics?: { key: string; value: number | string; timestamp: number; step: number }[]
    params?: { key: string; value: string }[]
    tags?: { key: string; value: string }[]
  }
  inputs: { dataset_inputs?: unknown[] }
}

async function createExperiment(name: string): Promise<string> {
  const res = await t.call('POST', 'experiments/create', { name })
  expect(res.statusCode).toBe(200)
  return res.json<{ experiment_id: string }>().experiment_id
}

async function createRun(experimentId: string, extra: Record<string, unknown> = {}) {
  const res = await t.call('POST', 'runs/create', {
    experiment_id: experimentId,
    start_time: 1_700_000_000_000,
    ...extra,
  })
  expect(res.statusCode).toBe(200)
  return res.json<{ run: RunJson }>().run
}

async function getRun(runId: string): Promise<RunJson> {
  const res = await t.call('GET', 'runs/get', { run_id: runId })
  expect(res.statusCode).toBe(200)
  return res.json<{ run: RunJson }>().run
}

function expectMlflowError(
  res: { statusCode: number; json: () => unknown },
  status: number,
  code: string,
): void {
  expect({
    status: res.statusCode,
    code: (res.json() as { error_code?: string }).error_code,
  }).toEqual({ status, code })
  expect(typeof (res.json() as { message?: unknown }).message).toBe('string')
}

for (const backend of MLFLOW_TEST_BACKENDS) {
  describe.skipIf(!backend.enabled)(`MLflow tracking API on ${backend.name}`, () => {
    beforeAll(async () => {
      t = await createMlflowTestApp({}, backend.env())
    })
    afterAll(async () => {
      await t.close()
    })

    describe('experiments', () => {
      it('creates, gets (by id and by name), renames, tags, deletes and restores', async () => {
        const res = await t.call('POST', 'experiments/create', {
          name: 'exp-crud',
          tags: [{ key: 'team', value: 'a' }],
        })
        expect(res.statusCode).toBe(200)
        const { experiment_id: id } = res.json<{ experiment_id: string }>()
        expect(id).toMatch(/^\d+$/)

        const got = await t.call('GET', 'experiments/get', { experiment_id: id })
        expect(got.statusCode).toBe(200)
        const exp = got.json<{ experiment: Record<string, unknown> }>().experiment
        expect(exp).toMatchObject({
          experiment_id: id,
          name: 'exp-crud',
          artifact_location: `mlflow-artifacts:/${id}`,
          lifecycle_stage: 'active',
          tags: [{ key: 'team', value: 'a' }],
        })
        expect(typeof exp['creation_time']).toBe('number')
        expect(typeof exp['last_update_time']).toBe('number')

        const byName = await t.call('GET', 'experiments/get-by-name', {
          experiment_name: 'exp-crud',
        })
        expect(
          byName.json<{ experiment: { experiment_id: string } }>().experiment.experiment_id,
        ).toBe(id)

        expect(
          (
            await t.call('POST', 'experiments/update', {
              experiment_id: id,
              new_name: 'exp-crud-2',
            })
          ).statusCode,
        ).toBe(200)
        expect(
          (
            await t.call('POST', 'experiments/set-experiment-tag', {
              experiment_id: id,
              key: 'k',
              value: 'v',
            })
          ).statusCode,
        ).toBe(200)
        expect(
          (
            await t.call('POST', 'experiments/delete-experiment-tag', {
              experiment_id: id,
              key: 'team',
            })
          ).statusCode,
        ).toBe(200)
        const after = (await t.call('GET', 'experiments/get', { experiment_id: id })).json<{
          experiment: { name: string; tags: unknown[] }
        }>().experiment
        expect(after.name).toBe('exp-crud-2')
        expect(after.tags).toEqual([{ key: 'k', value: 'v' }])

        const del = await t.call('POST', 'experiments/delete', { experiment_id: id })
        expect(del.statusCode).toBe(200)
        expect(del.json()).toEqual({})
        const deleted = await t.call('GET', 'experiments/get', { experiment_id: id })
        expect(
          deleted.json<{ experiment: { lifecycle_stage: string } }>().experiment.lifecycle_stage,
        ).toBe('deleted')
        expect(
          (await t.call('POST', 'experiments/restore', { experiment_id: id })).statusCode,
        ).toBe(200)
        const restored = await t.call('GET', 'experiments/get', { experiment_id: id })
        expect(
          restored.json<{ experiment: { lifecycle_stage: string } }>().experiment.lifecycle_stage,
        ).toBe('active')
      })

      it('serves the Default experiment "0"', async () => {
        const res = await t.call('GET', 'experiments/get', { experiment_id: '0' })
        expect(res.statusCode).toBe(200)
        expect(res.json<{ experiment: { name: string } }>().experiment.name).toBe('Default')
      })

      it('answers MLflow error codes for bad input', async () => {
        await createExperiment('exp-dup')
        expectMlflowError(
          await t.call('POST', 'experiments/create', { name: 'exp-dup' }),
          400,
          'RESOURCE_ALREADY_EXISTS',
        )
        expectMlflowError(
          await t.call('POST', 'experiments/create', {}),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('GET', 'experiments/get', { experiment_id: '987654' }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
        expectMlflowError(
          await t.call('GET', 'experiments/get-by-name', { experiment_name: 'no-such-experiment' }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
        expectMlflowError(
          await t.call('GET', 'experiments/get', {}),
          400,
          'INVALID_PARAMETER_VALUE',
        )
      })

      it('refuses caller-chosen artifact locations (SSRF and local-file reads)', async () => {
        for (const location of [
          'http://169.254.169.254/latest/meta-data',
          'file:///etc',
          '/etc',
          's3://bucket/x',
          'http:///#/../../etc',
        ]) {
          expectMlflowError(
            await t.call('POST', 'experiments/create', {
              name: `loc-${location}`,
              artifact_location: location,
            }),
            400,
            'INVALID_PARAMETER_VALUE',
          )
        }
      })

      it('searches with filter, order_by, view_type and page tokens, by POST and by GET', async () => {
        for (const n of ['srch-a', 'srch-b', 'srch-c']) await createExperiment(n)
        const first = await t.call('POST', 'experiments/search', {
          filter: "name LIKE 'srch-%'",
          order_by: ['name DESC'],
          max_results: 2,
        })
        expect(first.statusCode).toBe(200)
        const page1 = first.json<{ experiments: { name: string }[]; next_page_token?: string }>()
        expect(page1.experiments.map((e) => e.name)).toEqual(['srch-c', 'srch-b'])
        expect(typeof page1.next_page_token).toBe('string')
        const second = await t.call('GET', 'experiments/search', {
          filter: "name LIKE 'srch-%'",
          order_by: ['name DESC'],
          max_results: 2,
          page_token: page1.next_page_token,
        })
        expect(second.statusCode).toBe(200)
        const page2 = second.json<{ experiments: { name: string }[]; next_page_token?: string }>()
        expect(page2.experiments.map((e) => e.name)).toEqual(['srch-a'])
        expect(page2.next_page_token).toBeUndefined()

        expectMlflowError(
          await t.call('POST', 'experiments/search', { page_token: 'not-a-token' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('POST', 'experiments/search', { max_results: 0 }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        const deletedOnly = await t.call('POST', 'experiments/search', {
          view_type: 'DELETED_ONLY',
        })
        expect(deletedOnly.statusCode).toBe(200)
      })
    })

    describe('runs', () => {
      let experimentId: string
      beforeAll(async () => {
        experimentId = await createExperiment('runs-exp')
      })

      it('creates a run with MLflow’s RunInfo shape', async () => {
        const run = await createRun(experimentId, {
          run_name: 'first',
          tags: [{ key: 'mlflow.user', value: 'alice' }],
        })
        expect(run.info).toEqual({
          run_id: expect.stringMatching(/^[0-9a-f]{32}$/),
          run_uuid: run.info.run_id,
          run_name: 'first',
          experiment_id: experimentId,
          user_id: 'alice',
          status: 'RUNNING',
          start_time: 1_700_000_000_000,
          artifact_uri: `mlflow-artifacts:/${experimentId}/${run.info.run_id}/artifacts`,
          lifecycle_stage: 'active',
        })
        expect(run.data.tags).toEqual(
          expect.arrayContaining([
            { key: 'mlflow.user', value: 'alice' },
            { key: 'mlflow.runName', value: 'first' },
          ]),
        )
        expect(run.data.metrics).toBeUndefined()
        expect(run.data.params).toBeUndefined()
      })

      it('generates a run name when none is given and defaults to experiment "0"', async () => {
        const res = await t.call('POST', 'runs/create', {})
        expect(res.statusCode).toBe(200)
        const run = res.json<{ run: RunJson }>().run
        expect(run.info.experiment_id).toBe('0')
        expect(run.info['run_name']).toMatch(/\S/)
      })

      it('logs params, metrics and tags; runs/get shows the latest values', async () => {
        const run = await createRun(experimentId)
        const id = run.info.run_id
        const ok = async (path: string, body: Record<string, unknown>) => {
          const res = await t.call('POST', path, body)
          expect(res.statusCode, `${path}: ${res.body}`).toBe(200)
          expect(res.json()).toEqual({})
        }
        // The MLflow Python client sends run_uuid next to run_id.
        await ok('runs/log-parameter', { run_id: id, run_uuid: id, key: 'alpha', value: '0.5' })
        await ok('runs/log-parameter', { run_id: id, key: 'alpha', value: '0.5' })
        await ok('runs/log-metric', {
          run_id: id,
          key: 'rmse',
          value: 0.9,
          timestamp: 1000,
          step: 0,
        })
        await ok('runs/log-metric', {
          run_id: id,
          key: 'rmse',
          value: 0.7,
          timestamp: 2000,
          step: 1,
        })
        await ok('runs/log-metric', { run_id: id, key: 'odd', value: 'NaN', timestamp: '3000' })
        await ok('runs/set-tag', { run_id: id, key: 'stage', value: 'dev' })
        await ok('runs/set-tag', { run_id: id, key: 'stage', value: 'prod' })
        await ok('runs/set-tag', { run_id: id, key: 'temp', value: 'x' })
        await ok('runs/delete-tag', { run_id: id, key: 'temp' })

        const got = await getRun(id)
        expect(got.data.params).toEqual([{ key: 'alpha', value: '0.5' }])
        const metrics = Object.fromEntries((got.data.metrics ?? []).map((m) => [m.key, m]))
        expect(metrics['rmse']).toEqual({ key: 'rmse', value: 0.7, timestamp: 2000, step: 1 })
        expect(metrics['odd']).toEqual({ key: 'odd', value: 'NaN', timestamp: 3000, step: 0 })
        const tags = Object.fromEntries((got.data.tags ?? []).map((x) => [x.key, x.value]))
        expect(tags['stage']).toBe('prod')
        expect(tags['temp']).toBeUndefined()
      })

      it('refuses a param re-logged with a different value, unknown runs and missing fields', async () => {
        const id = (await createRun(experimentId)).info.run_id
        await t.call('POST', 'runs/log-parameter', { run_id: id, key: 'p', value: 'a' })
        expectMlflowError(
          await t.call('POST', 'runs/log-parameter', { run_id: id, key: 'p', value: 'b' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        const unknown = '0'.repeat(32)
        expectMlflowError(
          await t.call('GET', 'runs/get', { run_id: unknown }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
        expectMlflowError(
          await t.call('POST', 'runs/log-metric', {
            run_id: unknown,
            key: 'm',
            value: 1,
            timestamp: 1,
          }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
        expectMlflowError(
          await t.call('POST', 'runs/log-metric', { run_id: id, key: 'm', timestamp: 1 }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('POST', 'runs/log-metric', {
            run_id: id,
            key: 'm',
            value: 'abc',
            timestamp: 1,
          }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(await t.call('GET', 'runs/get', {}), 400, 'INVALID_PARAMETER_VALUE')
        expectMlflowError(
          await t.call('POST', 'runs/create', { experiment_id: '424242' }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
        expectMlflowError(
          await t.call('POST', 'runs/delete-tag', { run_id: id, key: 'never-set' }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
      })

      it('updates status and end time, deletes and restores', async () => {
        const id = (await createRun(experimentId)).info.run_id
        const res = await t.call('POST', 'runs/update', {
          run_id: id,
          status: 'FINISHED',
          end_time: 1_700_000_100_000,
        })
        expect(res.statusCode).toBe(200)
        expect(res.json<{ run_info: Record<string, unknown> }>().run_info).toMatchObject({
          run_id: id,
          status: 'FINISHED',
          end_time: 1_700_000_100_000,
        })
        expect((await t.call('POST', 'runs/delete', { run_id: id })).statusCode).toBe(200)
        expect((await getRun(id)).info['lifecycle_stage']).toBe('deleted')
        // Logging to a deleted run is refused with MLflow's code.
        expectMlflowError(
          await t.call('POST', 'runs/set-tag', { run_id: id, key: 'k', value: 'v' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expect((await t.call('POST', 'runs/restore', { run_id: id })).statusCode).toBe(200)
        expect((await getRun(id)).info['lifecycle_stage']).toBe('active')
        expectMlflowError(
          await t.call('POST', 'runs/update', { run_id: id, status: 'SLEEPING' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
      })

      it('log-batch writes metrics, params and tags, and enforces MLflow’s limits', async () => {
        const id = (await createRun(experimentId)).info.run_id
        const metric = (i: number) => ({
          key: `m${String(i % 10)}`,
          value: i,
          timestamp: 1000 + i,
          step: i,
        })
        const res = await t.call('POST', 'runs/log-batch', {
          run_id: id,
          metrics: Array.from({ length: 1000 }, (_, i) => metric(i)),
        })
        expect(res.statusCode, res.body).toBe(200)
        const mixed = await t.call('POST', 'runs/log-batch', {
          run_id: id,
          params: Array.from({ length: 100 }, (_, i) => ({
            key: `p${String(i)}`,
            value: String(i),
          })),
          tags: Array.from({ length: 100 }, (_, i) => ({ key: `t${String(i)}`, value: String(i) })),
        })
        expect(mixed.statusCode, mixed.body).toBe(200)
        const got = await getRun(id)
        expect(got.data.params).toHaveLength(100)
        expect(got.data.metrics).toHaveLength(10)

        const over = [
          { metrics: Array.from({ length: 1001 }, (_, i) => metric(i)) },
          { params: Array.from({ length: 101 }, (_, i) => ({ key: `q${String(i)}`, value: 'v' })) },
          { tags: Array.from({ length: 101 }, (_, i) => ({ key: `u${String(i)}`, value: 'v' })) },
          {
            metrics: Array.from({ length: 1000 }, (_, i) => metric(i)),
            tags: [{ key: 'one-too-many', value: 'v' }],
          },
        ]
        for (const body of over) {
          expectMlflowError(
            await t.call('POST', 'runs/log-batch', { run_id: id, ...body }),
            400,
            'INVALID_PARAMETER_VALUE',
          )
        }
        // Nothing of a refused batch was written.
        expect((await getRun(id)).data.tags?.some((x) => x.key === 'one-too-many')).toBe(false)
        expectMlflowError(
          await t.call('POST', 'runs/log-batch', {
            run_id: id,
            params: [{ key: 'p1', value: 'changed' }],
          }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('POST', 'runs/log-batch', { run_id: '0'.repeat(32), metrics: [metric(1)] }),
          404,
          'RESOURCE_DOES_NOT_EXIST',
        )
      })

      it('pages metric history with page tokens', async () => {
        const id = (await createRun(experimentId)).info.run_id
        await t.call('POST', 'runs/log-batch', {
          run_id: id,
          metrics: Array.from({ length: 5 }, (_, i) => ({
            key: 'loss',
            value: 5 - i,
            timestamp: 10 + i,
            step: i,
          })),
        })
        const first = await t.call('GET', 'metrics/get-history', {
          run_id: id,
          metric_key: 'loss',
          max_results: 3,
        })
        expect(first.statusCode).toBe(200)
        const p1 = first.json<{
          metrics: { step: number; value: number }[]
          next_page_token?: string
        }>()
        expect(p1.metrics.map((m) => m.step)).toEqual([0, 1, 2])
        expect(p1.metrics[0]).toEqual({ key: 'loss', value: 5, timestamp: 10, step: 0 })
        const second = await t.call('GET', 'metrics/get-history', {
          run_id: id,
          metric_key: 'loss',
          max_results: 3,
          page_token: p1.next_page_token,
        })
        const p2 = second.json<{ metrics: { step: number }[]; next_page_token?: string }>()
        expect(p2.metrics.map((m) => m.step)).toEqual([3, 4])
        expect(p2.next_page_token).toBeUndefined()
        expectMlflowError(
          await t.call('GET', 'metrics/get-history', {
            run_id: id,
            metric_key: 'loss',
            page_token: 'garbage',
          }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('GET', 'metrics/get-history', { run_id: id }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        const none = await t.call('GET', 'metrics/get-history', {
          run_id: id,
          metric_key: 'absent',
        })
        expect(none.json()).toEqual({})
      })

      it('samples one metric of several runs for charts (get-history-bulk-interval)', async () => {
        const a = (await createRun(experimentId)).info.run_id
        const b = (await createRun(experimentId)).info.run_id
        for (const id of [a, b]) {
          await t.call('POST', 'runs/log-batch', {
            run_id: id,
            metrics: Array.from({ length: 10 }, (_, i) => ({
              key: 'acc',
              value: i / 10,
              timestamp: 100 + i,
              step: i,
            })),
          })
        }
        const res = await t.call('GET', 'metrics/get-history-bulk-interval', {
          run_ids: [a, b],
          metric_key: 'acc',
          start_step: 2,
          end_step: 8,
          max_results: 3,
        })
        expect(res.statusCode, res.body).toBe(200)
        const metrics = res.json<{ metrics: { run_id: string; step: number; value: number }[] }>()
          .metrics
        const [first, second] = [a, b].sort()
        expect(metrics.map((m) => [m.run_id, m.step])).toEqual([
          [first, 2],
          [first, 5],
          [first, 8],
          [second, 2],
          [second, 5],
          [second, 8],
        ])
        expect(metrics[0]).toEqual({
          key: 'acc',
          value: 0.2,
          timestamp: 102,
          step: 2,
          run_id: first,
        })
        expectMlflowError(
          await t.call('GET', 'metrics/get-history-bulk-interval', { metric_key: 'acc' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('GET', 'metrics/get-history-bulk-interval', {
            run_ids: Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, '0')),
            metric_key: 'acc',
          }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('GET', 'metrics/get-history-bulk-interval', {
            run_ids: [a],
            metric_key: 'acc',
            max_results: 0,
          }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
      })

      it('searches runs with filter, order_by and pagination', async () => {
        const exp = await createExperiment('search-runs')
        for (const [i, rmse] of [0.5, 0.3, 0.9].entries()) {
          const id = (await createRun(exp, { run_name: `r${String(i)}` })).info.run_id
          await t.call('POST', 'runs/log-batch', {
            run_id: id,
            metrics: [{ key: 'rmse', value: rmse, timestamp: 1, step: 0 }],
            params: [{ key: 'model', value: i === 2 ? 'tree' : 'linear' }],
          })
        }
        const res = await t.call('POST', 'runs/search', {
          experiment_ids: [exp],
          filter: "params.model = 'linear' AND metrics.rmse < 1",
          order_by: ['metrics.rmse ASC'],
          max_results: 1,
        })
        expect(res.statusCode, res.body).toBe(200)
        const p1 = res.json<{ runs: RunJson[]; next_page_token?: string }>()
        expect(p1.runs.map((r) => r.info['run_name'])).toEqual(['r1'])
        const p2 = (
          await t.call('POST', 'runs/search', {
            experiment_ids: [exp],
            filter: "params.model = 'linear' AND metrics.rmse < 1",
            order_by: ['metrics.rmse ASC'],
            max_results: 1,
            page_token: p1.next_page_token,
          })
        ).json<{ runs: RunJson[]; next_page_token?: string }>()
        expect(p2.runs.map((r) => r.info['run_name'])).toEqual(['r0'])

        const all = await t.call('POST', 'runs/search', {
          experiment_ids: [exp],
          run_view_type: 'ALL',
        })
        expect(all.json<{ runs: unknown[] }>().runs).toHaveLength(3)
        const empty = await t.call('POST', 'runs/search', {
          experiment_ids: [exp],
          filter: 'metrics.rmse > 100',
        })
        expect(empty.json()).toEqual({})
        expectMlflowError(
          await t.call('POST', 'runs/search', {
            experiment_ids: [exp],
            filter: 'metrics.rmse >>> 1',
          }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('POST', 'runs/search', { experiment_ids: [exp], page_token: '!!' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
        expectMlflowError(
          await t.call('POST', 'runs/search', { experiment_ids: [exp], max_results: 50_001 }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
      })

      it('logs dataset inputs and models', async () => {
        const id = (await createRun(experimentId)).info.run_id
        const res = await t.call('POST', 'runs/log-inputs', {
          run_id: id,
          datasets: [
            {
              tags: [{ key: 'mlflow.data.context', value: 'training' }],
              dataset: {
                name: 'iris',
                digest: 'abc123',
                source_type: 'local',
                source: '{"uri": "iris.csv"}',
                schema: '{"mlflow_colspec": []}',
              },
            },
          ],
        })
        expect(res.statusCode, res.body).toBe(200)
        const run = await getRun(id)
        expect(run.inputs.dataset_inputs).toEqual([
          {
            tags: [{ key: 'mlflow.data.context', value: 'training' }],
            dataset: {
              name: 'iris',
              digest: 'abc123',
              source_type: 'local',
              source: '{"uri": "iris.csv"}',
              schema: '{"mlflow_colspec": []}',
            },
          },
        ])
        const model = { artifact_path: 'model', flavors: { python_function: {} }, run_id: id }
        const logged = await t.call('POST', 'runs/log-model', {
          run_id: id,
          model_json: JSON.stringify(model),
        })
        expect(logged.statusCode, logged.body).toBe(200)
        await t.call('POST', 'runs/log-model', {
          run_id: id,
          model_json: JSON.stringify({ ...model, artifact_path: 'm2' }),
        })
        const tag = (await getRun(id)).data.tags?.find((x) => x.key === 'mlflow.log-model.history')
        expect(JSON.parse(tag?.value ?? '[]')).toHaveLength(2)
        expectMlflowError(
          await t.call('POST', 'runs/log-model', { run_id: id, model_json: '{not json' }),
          400,
          'INVALID_PARAMETER_VALUE',
        )
      })
    })

    describe('protocol', () => {
      it('serves the same API under /ajax-api/2.0', async () => {
        const res = await t.inject({
          method: 'GET',
          url: '/ajax-api/2.0/mlflow/experiments/get?experiment_id=0',
        })
        expect(res.statusCode).toBe(200)
        expect(res.json<{ experiment: { experiment_id: string } }>().experiment.experiment_id).toBe(
          '0',
        )
      })

      it('answers ENDPOINT_NOT_FOUND for unknown MLflow paths and keeps Plinth errors elsewhere', async () => {
        const res = await t.inject({ method: 'GET', url: '/api/2.0/mlflow/no-such-endpoint' })
        expectMlflowError(res, 404, 'ENDPOINT_NOT_FOUND')
        const plinth = await t.inject({ method: 'GET', url: '/api/v1/artifacts/not-an-id' })
        expect(plinth.statusCode).toBe(400)
        expect(plinth.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } })
      })

      it('ignores unknown fields and rejects malformed JSON with MLflow’s body', async () => {
        const ok = await t.call('POST', 'experiments/create', {
          name: 'extra-fields',
          unknown_field: 1,
        })
        expect(ok.statusCode).toBe(200)
        const bad = await t.inject({
          method: 'POST',
          url: '/api/2.0/mlflow/experiments/create',
          headers: { 'content-type': 'application/json' },
          payload: '{"name": ',
        })
        expect(bad.statusCode).toBe(400)
        expect(bad.json<{ error_code: string }>().error_code).toBe('BAD_REQUEST')
      })

      it('lists the /api/2.0 routes in the OpenAPI document and hides the /ajax-api copies', async () => {
        const doc = (await t.inject({ method: 'GET', url: '/openapi.json' })).json<{
          paths: Record<string, unknown>
        }>()
        const result = await new Validator().validate(doc)
        expect(result.errors ?? []).toEqual([])
        expect(Object.keys(doc.paths)).toContain('/api/2.0/mlflow/runs/log-batch')
        expect(Object.keys(doc.paths)).toContain('/api/2.0/mlflow/registered-models/alias')
        expect(Object.keys(doc.paths).some((p) => p.startsWith('/ajax-api'))).toBe(false)
      })
    })

    describe('router-level errors', () => {
      it('answer with MLflow’s body under the MLflow prefixes', async () => {
        const res = await t.inject({
          method: 'GET',
          url: '/api/2.0/mlflow-artifacts/artifacts/%zz',
        })
        expect(res.statusCode).toBe(400)
        expect(res.json()).toMatchObject({ error_code: 'BAD_REQUEST' })
      })
    })
  })
}
