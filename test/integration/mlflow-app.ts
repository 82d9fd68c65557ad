import { randomBytes } from 'node:crypto'

import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'

import type { Platform } from '../../src/platform/index.js'
import { buildTestApp, createTestPlatform } from '../support/platform.js'

/** The Host header every request carries (the app refuses unknown hosts). */
export const HOST = { host: '127.0.0.1:5000' }

/** A test platform and the HTTP app over it, for the MLflow-compatibility tests. */
export interface MlflowTestApp {
  readonly platform: Platform
  readonly app: FastifyInstance
  readonly dir: string
  /** JSON request under `/api/2.0/mlflow/…` (GET fields go to the query string). */
  call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    fields?: Record<string, unknown>,
  ): Promise<LightMyRequestResponse>
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>
  close(): Promise<void>
}

const PG_URL = process.env['PLINTH_TEST_POSTGRES_URL']

/**
 * The metadata backends the MLflow tests run on: SQLite always, PostgreSQL (a schema of its
 * own, dropped afterwards) when PLINTH_TEST_POSTGRES_URL is set.
 */
export const MLFLOW_TEST_BACKENDS: readonly {
  readonly name: string
  readonly enabled: boolean
  env(): Record<string, string>
}[] = [
  { name: 'sqlite', enabled: true, env: () => ({}) },
  {
    name: 'postgres',
    enabled: PG_URL !== undefined && PG_URL !== '',
    env: () => ({
      PLINTH_METADATA_URL: `${PG_URL ?? ''}${(PG_URL ?? '').includes('?') ? '&' : '?'}schema=plinth_mlflow_${randomBytes(5).toString('hex')}`,
    }),
  },
]

async function dropPgSchema(url: string | undefined): Promise<void> {
  if (url === undefined || PG_URL === undefined) return
  const schema = new URL(url).searchParams.get('schema')
  if (schema === null) return
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`)
  } finally {
    await client.end()
  }
}

/** `{a: 1, b: ['x', 'y']}` → `a=1&b=x&b=y` (repeated keys for lists, as MLflow clients send). */
export function queryString(fields: Record<string, unknown>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item))
  }
  return q.toString()
}

/** Builds the app over a fresh test platform. */
export async function createMlflowTestApp(
  flags: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<MlflowTestApp> {
  const t = await createTestPlatform({ flags, env })
  const platform = t.platform
  const app = await buildTestApp(platform)
  const inject = (opts: InjectOptions) =>
    app.inject({ ...opts, headers: { ...HOST, ...opts.headers } })
  return {
    platform,
    app,
    dir: t.dir,
    inject,
    call(method, path, fields = {}) {
      const url = `/api/2.0/mlflow/${path}`
      if (method === 'GET') {
        const qs = queryString(fields)
        return inject({ method, url: qs === '' ? url : `${url}?${qs}` })
      }
      return inject({ method, url, payload: fields })
    },
    async close() {
      await app.close()
      await t.cleanup()
      await dropPgSchema(env['PLINTH_METADATA_URL'])
    },
  }
}
