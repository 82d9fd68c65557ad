import { readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { TRAVERSAL_PAYLOADS } from '../../src/test-support/index.js'
import { MLFLOW_TEST_BACKENDS, createMlflowTestApp, type MlflowTestApp } from './mlflow-app.js'

const CANARY = 'CANARY-mlflow-artifacts-never-read'
const LIMIT = 64 * 1024

let t: MlflowTestApp
let experimentId: string
let runId: string
let base: string

for (const backend of MLFLOW_TEST_BACKENDS) {
  describe.skipIf(!backend.enabled)(`MLflow artifacts API on ${backend.name}`, () => {
    beforeAll(async () => {
      t = await createMlflowTestApp({ 'server.uploadLimitBytes': LIMIT }, backend.env())
      writeFileSync(path.join(t.dir, 'canary.txt'), CANARY)
      writeFileSync(path.join(t.dir, '.plinth', 'canary.txt'), CANARY)
      experimentId = (await t.call('POST', 'experiments/create', { name: 'artifacts' })).json<{
        experiment_id: string
      }>().experiment_id
      runId = (await t.call('POST', 'runs/create', { experiment_id: experimentId })).json<{
        run: { info: { run_id: string } }
      }>().run.info.run_id
      base = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`
    })

    afterAll(async () => {
      await t.close()
    })

    function put(url: string, body: string | Buffer, contentType = 'text/plain') {
      return t.inject({
        method: 'PUT',
        url,
        headers: { 'content-type': contentType },
        payload: body,
      })
    }

    describe('mlflow-artifacts proxy', () => {
      it('uploads, downloads, lists and deletes a run’s files', async () => {
        const up = await put(`${base}/notes.txt`, 'hello', 'text/plain; charset=utf-8')
        expect(up.statusCode, up.body).toBe(200)
        expect(up.json()).toEqual({})
        // A JSON file is stored as bytes, not parsed.
        expect(
          (await put(`${base}/model/MLmodel`, 'flavors: {}\n', 'application/octet-stream'))
            .statusCode,
        ).toBe(200)
        expect(
          (await put(`${base}/model/conda.json`, '{"a": 1', 'application/json')).statusCode,
        ).toBe(200)

        const down = await t.inject({ method: 'GET', url: `${base}/notes.txt` })
        expect(down.statusCode).toBe(200)
        expect(down.body).toBe('hello')
        expect(down.headers['content-disposition']).toContain('attachment')
        expect(down.headers['content-type']).toBe('application/octet-stream')
        const json = await t.inject({ method: 'GET', url: `${base}/model/conda.json` })
        expect(json.body).toBe('{"a": 1')

        const root = await t.inject({
          method: 'GET',
          url: `/api/2.0/mlflow-artifacts/artifacts?path=${experimentId}/${runId}/artifacts`,
        })
        expect(root.statusCode, root.body).toBe(200)
        expect(root.json()).toEqual({
          files: [
            { path: 'model', is_dir: true },
            { path: 'notes.txt', is_dir: false, file_size: 5 },
          ],
        })
        const sub = await t.inject({
          method: 'GET',
          url: `/api/2.0/mlflow-artifacts/artifacts?path=${experimentId}/${runId}/artifacts/model`,
        })
        expect(sub.json<{ files: { path: string }[] }>().files.map((f) => f.path)).toEqual([
          'MLmodel',
          'conda.json',
        ])

        // The run-scoped RPC lists paths relative to the run's root.
        const list = await t.call('GET', 'artifacts/list', { run_id: runId, path: 'model' })
        expect(list.statusCode).toBe(200)
        expect(list.json()).toEqual({
          root_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
          files: [
            { path: 'model/MLmodel', is_dir: false, file_size: 12 },
            { path: 'model/conda.json', is_dir: false, file_size: 7 },
          ],
        })

        const del = await t.inject({ method: 'DELETE', url: `${base}/notes.txt` })
        expect(del.statusCode).toBe(200)
        const gone = await t.inject({ method: 'GET', url: `${base}/notes.txt` })
        expect(gone.statusCode).toBe(404)
        expect(gone.json()).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST' })
      })

      it('replaces a file uploaded twice at the same path', async () => {
        await put(`${base}/twice.txt`, 'one')
        await put(`${base}/twice.txt`, 'two!')
        expect((await t.inject({ method: 'GET', url: `${base}/twice.txt` })).body).toBe('two!')
      })

      it('refuses uploads over the limit with 413', async () => {
        const res = await put(
          `${base}/big.bin`,
          Buffer.alloc(LIMIT + 1),
          'application/octet-stream',
        )
        expect(res.statusCode).toBe(413)
        expect(res.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' })
      })

      it('checks that the run belongs to the experiment in the path', async () => {
        const other = (
          await t.call('POST', 'experiments/create', { name: 'artifacts-other' })
        ).json<{
          experiment_id: string
        }>().experiment_id
        const res = await put(
          `/api/2.0/mlflow-artifacts/artifacts/${other}/${runId}/artifacts/x.txt`,
          'x',
        )
        expect(res.statusCode).toBe(404)
        expect(res.json()).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST' })
        const unknown = await put(
          `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${'0'.repeat(32)}/artifacts/x.txt`,
          'x',
        )
        expect(unknown.statusCode).toBe(404)
        for (const shape of [
          'x.txt',
          `${experimentId}/x.txt`,
          `${experimentId}/${runId}/other/x.txt`,
        ]) {
          const r = await put(`/api/2.0/mlflow-artifacts/artifacts/${shape}`, 'x')
          expect(r.statusCode, shape).toBe(400)
          expect(r.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' })
        }
      })

      it('refuses every traversal payload on upload, download, delete and list', async () => {
        const forms = (p: string) => [
          ...new Set([
            p.replace(/[#?\s%]/g, encodeURIComponent).replaceAll('\u0000', '%00'),
            encodeURIComponent(p),
            encodeURIComponent(encodeURIComponent(p)),
          ]),
        ]
        let refused = 0
        for (const payload of TRAVERSAL_PAYLOADS) {
          for (const form of forms(payload)) {
            const url = `${base}/${form}`
            const up = await put(url, 'payload bytes')
            const down = await t.inject({ method: 'GET', url })
            const del = await t.inject({ method: 'DELETE', url })
            const list = await t.inject({
              method: 'GET',
              url: `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${experimentId}/${runId}/artifacts/${payload}`)}`,
            })
            for (const res of [up, down, del, list]) {
              // Never a server error, never the canary's bytes.
              expect(res.statusCode, `${payload} → ${String(res.statusCode)}`).toBeLessThan(500)
              expect(res.body).not.toContain(CANARY)
            }
            if (up.statusCode === 400) refused++
          }
        }
        expect(refused).toBeGreaterThan(TRAVERSAL_PAYLOADS.length)
        // Nothing was written outside the store: the only canaries are the two planted ones.
        const found: string[] = []
        const walk = (dir: string) => {
          for (const e of readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, e.name)
            if (e.isDirectory()) walk(full)
            else if (e.name.includes('canary') || e.name.includes('passwd')) found.push(full)
          }
        }
        walk(t.dir)
        expect(found.sort()).toEqual(
          [path.join(t.dir, '.plinth', 'canary.txt'), path.join(t.dir, 'canary.txt')].sort(),
        )
      })

      it.each([
        ['../secret'],
        ['a/../../b'],
        ['%2e%2e/x'],
        ['%252e%252e%252fx'],
        ['x%00y'],
        ['a//b'],
        ['a%5Cb'],
        ['x%3B%2F..%2Fy'],
        ['..%2F..%2Fcanary.txt'],
        ['%EF%BC%8E%EF%BC%8E/x'],
      ])('refuses %s with INVALID_PARAMETER_VALUE', async (p) => {
        const res = await put(`${base}/${p}`, 'x')
        expect(res.statusCode).toBe(400)
        expect(res.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' })
      })

      it('answers presigned-URL requests with NOT_IMPLEMENTED', async () => {
        for (const kind of ['upload', 'download']) {
          const res = await t.call('POST', `artifacts/presigned-${kind}-url`, {
            run_id: runId,
            path: 'x.bin',
          })
          expect(res.statusCode).toBe(501)
          expect(res.json()).toMatchObject({ error_code: 'NOT_IMPLEMENTED' })
        }
      })

      it('answers multipart-upload routes with NOT_IMPLEMENTED', async () => {
        const res = await t.inject({
          method: 'POST',
          url: `/api/2.0/mlflow-artifacts/mpu/create/${experimentId}/${runId}/artifacts/big.bin`,
          payload: { path: 'big.bin', num_parts: 2 },
        })
        expect(res.statusCode).toBe(501)
        expect(res.json()).toMatchObject({ error_code: 'NOT_IMPLEMENTED' })
      })

      it('refuses a cross-origin upload (the Origin check covers PUT)', async () => {
        const res = await t.inject({
          method: 'PUT',
          url: `${base}/evil.txt`,
          headers: { 'content-type': 'text/plain', origin: 'http://evil.example' },
          payload: 'x',
        })
        expect(res.statusCode).toBe(403)
      })
    })
  })
}
