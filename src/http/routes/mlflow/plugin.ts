import type { FastifyInstance } from 'fastify'

import type { RegistryService } from '../../../registry/index.js'
import type { TrackingService } from '../../../tracking/index.js'
import { toMlflowError } from './errors.js'
import { registerMlflowArtifactRoutes } from './mlflow-artifacts.js'
import { registerModelVersionRoutes } from './model-versions.js'
import { registerRegisteredModelRoutes } from './registered-models.js'
import { registerExperimentRoutes } from './experiments.js'
import { registerMetricRoutes } from './metrics.js'
import { registerRunArtifactRoutes } from './run-artifacts.js'
import { registerRunRoutes } from './runs.js'

/** The services behind the MLflow-compatible API. */
export interface MlflowRouteDeps {
  readonly tracking: TrackingService
  /** Without it the model-registry endpoints answer ENDPOINT_NOT_FOUND. */
  readonly registry?: RegistryService
}

/** Limits of the MLflow-compatible API. */
export interface MlflowRouteOptions {
  /** Largest artifact accepted by `PUT /mlflow-artifacts/artifacts/<path>`. */
  readonly uploadLimitBytes: number
}

/**
 * The prefixes MLflow mounts every RPC under (`_get_paths` in mlflow/server/handlers.py): the
 * REST API and the same handlers for its web UI.
 */
export const MLFLOW_PREFIXES = ['/api/2.0', '/ajax-api/2.0'] as const

/** True for a URL under one of the MLflow prefixes (whose errors use MLflow's body). */
export function isMlflowPath(url: string): boolean {
  return MLFLOW_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`))
}

/**
 * Registers MLflow's REST API 2.0 (tracking, model registry and the mlflow-artifacts proxy)
 * under `/api/2.0` and `/ajax-api/2.0`, so an unmodified MLflow client can use Plinth as its
 * tracking server (`MLFLOW_TRACKING_URI=http://host:port`).
 *
 * These routes speak MLflow's wire format, errors included: `{error_code, message}` with
 * MLflow's statuses. The `/ajax-api` copies are left out of the OpenAPI document.
 */
export async function registerMlflowRoutes(
  app: FastifyInstance,
  deps: MlflowRouteDeps,
  options: MlflowRouteOptions,
): Promise<void> {
  for (const prefix of MLFLOW_PREFIXES) {
    await app.register(
      async (scope) => {
        if (prefix !== '/api/2.0') {
          scope.addHook('onRoute', (route) => {
            route.schema = { ...route.schema, hide: true }
          })
        }
        scope.setErrorHandler(async (err, req, reply) => {
          const { status, body } = toMlflowError(err)
          if (status >= 500) req.log.error({ err }, 'unhandled error')
          return reply.code(status).send(body)
        })
        scope.setNotFoundHandler(async (req, reply) =>
          reply.code(404).send({
            error_code: 'ENDPOINT_NOT_FOUND',
            message: `No API endpoint for ${req.method} ${req.url.split('?')[0] ?? ''}`,
          }),
        )
        registerExperimentRoutes(scope, deps.tracking)
        registerRunRoutes(scope, deps.tracking)
        registerMetricRoutes(scope, deps.tracking)
        registerRunArtifactRoutes(scope, deps.tracking)
        if (deps.registry !== undefined) {
          registerRegisteredModelRoutes(scope, deps.registry)
          registerModelVersionRoutes(scope, deps.registry)
        }
        // Its own scope: the upload route takes raw bodies of any content type.
        await scope.register(async (raw) => {
          registerMlflowArtifactRoutes(raw, deps.tracking, options)
        })
      },
      { prefix },
    )
  }
}
