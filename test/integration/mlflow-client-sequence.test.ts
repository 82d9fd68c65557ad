import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createMlflowTestApp, type MlflowTestApp } from './mlflow-app.js'

/*
 * The requests an unmodified MLflow 2.x Python client sends for a typical script, in order, with
 * its headers and bodies (reconstructed from the REST reference and the client's RestStore):
 *
 *   mlflow.set_tracking_uri('http://127.0.0.1:5000')
 *   mlflow.set_experiment('churn')
 *   with mlflow.start_run() as run:
 *       mlflow.log_param('alpha', 0.5)
 *       mlflow.log_metric('rmse', 0.8, step=1)
 *       mlflow.log_artifact('notes.txt')
 *       mlflow.log_artifact('MLmodel', artifact_path='model')
 *   mlflow.search_runs(experiment_ids=[...], filter_string='metrics.rmse < 1')
 *   mlflow.register_model(f'runs:/{run_id}/model', 'churn')   # twice
 *   MlflowClient().set_registered_model_alias('churn', 'champion', 1)
 *   MlflowClient().get_model_version_by_alias('churn', 'champion')
 *   mlflow.artifacts.download_artifacts('models:/churn@champion')
 */

const CLIENT_HEADERS = {
  host: '127.0.0.1:5000',
  'user-agent': 'mlflow-python-client/2.14.1',
  'accept-encoding': 'gzip, deflate',
  accept: '*/*',
}

let t: MlflowTestApp

beforeAll(async () => {
  t = await createMlflowTestApp()
})

afterAll(async () => {
  await t.close()
})

async function get(url: string) {
  return t.inject({ method: 'GET', url, headers: CLIENT_HEADERS })
}

async function post(url: string, body: Record<string, unknown>) {
  return t.inject({
    method: 'POST',
    url,
    headers: { ...CLIENT_HEADERS, 'content-type': 'application/json' },
    // The client serialises with json.dumps after protobuf's MessageToJson.
    payload: JSON.stringify(body),
  })
}

describe('an unmodified MLflow Python client', () => {
  it('sets an experiment, logs a run with artifacts, searches, registers and aliases a model', async () => {
    // --- mlflow.set_experiment('churn'): look up by name, create on 404, then read it back.
    const missing = await get('/api/2.0/mlflow/experiments/get-by-name?experiment_name=churn')
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST' })
    const created = await post('/api/2.0/mlflow/experiments/create', { name: 'churn' })
    expect(created.statusCode).toBe(200)
    const experimentId = created.json<{ experiment_id: string }>().experiment_id
    const exp = await get(`/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`)
    expect(
      exp.json<{ experiment: { name: string; lifecycle_stage: string } }>().experiment,
    ).toMatchObject({ name: 'churn', lifecycle_stage: 'active' })

    // --- mlflow.start_run(): context tags, no run name (the server generates one).
    const start = await post('/api/2.0/mlflow/runs/create', {
      experiment_id: experimentId,
      user_id: 'alice',
      start_time: 1_700_000_000_000,
      tags: [
        { key: 'mlflow.user', value: 'alice' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'mlflow.source.git.commit', value: '0123abcd' },
      ],
    })
    expect(start.statusCode, start.body).toBe(200)
    const run = start.json<{
      run: {
        info: { run_id: string; run_name: string; artifact_uri: string; status: string }
        data: { tags: { key: string; value: string }[] }
      }
    }>().run
    const runId = run.info.run_id
    expect(run.info.status).toBe('RUNNING')
    expect(run.info.run_name).toMatch(/\S/)
    expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: run.info.run_name })
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`)

    // --- log_param / log_metric: run_uuid rides along with run_id.
    expect(
      (
        await post('/api/2.0/mlflow/runs/log-parameter', {
          run_id: runId,
          run_uuid: runId,
          key: 'alpha',
          value: '0.5',
        })
      ).statusCode,
    ).toBe(200)
    expect(
      (
        await post('/api/2.0/mlflow/runs/log-metric', {
          run_id: runId,
          run_uuid: runId,
          key: 'rmse',
          value: 0.8,
          timestamp: 1_700_000_001_000,
          step: 1,
        })
      ).statusCode,
    ).toBe(200)

    // --- log_artifact: the client reads the run's artifact_uri, then PUTs through the proxy
    // with the media type guessed from the file name.
    const info = await get(`/api/2.0/mlflow/runs/get?run_id=${runId}`)
    const root = info.json<{ run: { info: { artifact_uri: string } } }>().run.info.artifact_uri
    const proxied = root.replace(/^mlflow-artifacts:\//, '/api/2.0/mlflow-artifacts/artifacts/')
    const putNotes = await t.inject({
      method: 'PUT',
      url: `${proxied}/notes.txt`,
      headers: { ...CLIENT_HEADERS, 'content-type': 'text/plain' },
      payload: 'trained on churn v3\n',
    })
    expect(putNotes.statusCode, putNotes.body).toBe(200)
    const putModel = await t.inject({
      method: 'PUT',
      url: `${proxied}/model/MLmodel`,
      headers: { ...CLIENT_HEADERS, 'content-type': 'application/octet-stream' },
      payload: 'artifact_path: model\nflavors:\n  python_function: {}\n',
    })
    expect(putModel.statusCode, putModel.body).toBe(200)

    // --- end of the with-block: set_terminated.
    const end = await post('/api/2.0/mlflow/runs/update', {
      run_id: runId,
      run_uuid: runId,
      status: 'FINISHED',
      end_time: 1_700_000_002_000,
    })
    expect(end.json<{ run_info: { status: string } }>().run_info.status).toBe('FINISHED')

    // --- mlflow.search_runs: one page of up to 10 000 runs, ACTIVE_ONLY.
    const search = await post('/api/2.0/mlflow/runs/search', {
      experiment_ids: [experimentId],
      filter: 'metrics.rmse < 1',
      run_view_type: 'ACTIVE_ONLY',
      max_results: 10_000,
      order_by: [],
    })
    expect(search.statusCode, search.body).toBe(200)
    const found = search.json<{
      runs: { info: { run_id: string }; data: { metrics: unknown[]; params: unknown[] } }[]
    }>().runs
    expect(found).toHaveLength(1)
    expect(found[0]?.info.run_id).toBe(runId)
    expect(found[0]?.data.params).toEqual([{ key: 'alpha', value: '0.5' }])
    expect(found[0]?.data.metrics).toEqual([
      { key: 'rmse', value: 0.8, timestamp: 1_700_000_001_000, step: 1 },
    ])

    // --- mlflow.register_model('runs:/<id>/model', 'churn'), twice.
    for (const expected of ['1', '2']) {
      const rm = await post('/api/2.0/mlflow/registered-models/create', { name: 'churn' })
      if (expected === '1') expect(rm.statusCode).toBe(200)
      else expect(rm.json()).toMatchObject({ error_code: 'RESOURCE_ALREADY_EXISTS' })
      // runs:/ resolves to the run's artifact URI on the client before the version is created.
      await get(`/api/2.0/mlflow/runs/get?run_id=${runId}`)
      const mv = await post('/api/2.0/mlflow/model-versions/create', {
        name: 'churn',
        source: `${root}/model`,
        run_id: runId,
      })
      expect(mv.statusCode, mv.body).toBe(200)
      expect(mv.json<{ model_version: { version: string } }>().model_version.version).toBe(expected)
      // await_registration_for: poll until READY.
      const poll = await get(`/api/2.0/mlflow/model-versions/get?name=churn&version=${expected}`)
      expect(poll.json<{ model_version: { status: string } }>().model_version.status).toBe('READY')
    }

    // --- set_registered_model_alias('churn', 'champion', 1)
    const alias = await post('/api/2.0/mlflow/registered-models/alias', {
      name: 'churn',
      alias: 'champion',
      version: '1',
    })
    expect(alias.statusCode, alias.body).toBe(200)
    expect(alias.json()).toEqual({})

    // --- get_model_version_by_alias, then download the model's files (models:/churn@champion).
    const byAlias = await get('/api/2.0/mlflow/registered-models/alias?name=churn&alias=champion')
    const mv = byAlias.json<{ model_version: { version: string; aliases: string[] } }>()
      .model_version
    expect(mv).toMatchObject({ version: '1', aliases: ['champion'] })
    const uri = (
      await get(`/api/2.0/mlflow/model-versions/get-download-uri?name=churn&version=${mv.version}`)
    ).json<{ artifact_uri: string }>().artifact_uri
    expect(uri).toBe(`${root}/model`)
    const listing = await get(
      `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(uri.replace(/^mlflow-artifacts:\//, ''))}`,
    )
    expect(listing.json()).toEqual({ files: [{ path: 'MLmodel', is_dir: false, file_size: 52 }] })
    const file = await get(`${proxied}/model/MLmodel`)
    expect(file.body).toContain('python_function')
  })
})
