import { createServer } from 'node:http'

import fastifySwagger from '@fastify/swagger'
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify'
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod'

import {
  PlatformError,
  ValidationError,
  newRequestId,
  toPlatformError,
  type Logger,
  type ValidationIssue,
} from '../core/index.js'
import type { ArtifactService } from '../artifacts/index.js'
import type { DatasetService, DatasetValidationService } from '../datasets/index.js'
import type { RegistryService } from '../registry/index.js'
import type { TrackingService } from '../tracking/index.js'
import type { WorkspaceService } from '../workspaces/index.js'
import { codeOfHttpStatus, httpStatusOf } from './error-map.js'
import { createHttpMetrics, type HttpMetrics } from './metrics.js'
import { registerArtifactRoutes } from './routes/artifacts.js'
import { registerDatasetValidationRoutes } from './routes/dataset-validation.js'
import { registerDatasetRoutes } from './routes/datasets.js'
import { toMlflowError } from './routes/mlflow/errors.js'
import { isMlflowPath, registerMlflowRoutes } from './routes/mlflow/plugin.js'
import { registerSystemRoutes, type ReadinessReport } from './routes/system.js'
import { registerWorkspaceRoutes } from './routes/workspaces.js'
import { registerSecurity } from './security.js'

/** The services and probes the HTTP API exposes. */
export interface HttpDeps {
  readonly services: {
    readonly workspaces: WorkspaceService
    readonly artifacts: ArtifactService
    readonly datasets: DatasetService
    readonly datasetValidation: DatasetValidationService
    /** Experiment tracking; enables the MLflow-compatible API. */
    readonly tracking?: TrackingService
    /** The model registry; adds the MLflow registry endpoints. */
    readonly registry?: RegistryService
  }
  /** Checks every store; drives `/readyz`. */
  readonly readiness: () => Promise<ReadinessReport>
  readonly logger: Logger
  /** Plinth's version, for `/api/v1/version` and the OpenAPI document. */
  readonly version: string
  readonly metrics?: HttpMetrics
}

/** Limits and network settings of the app (a subset of the `server` config). */
export interface HttpOptions {
  readonly host: string
  readonly bodyLimitBytes: number
  readonly uploadLimitBytes: number
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  readonly allowedHosts: readonly string[]
  readonly allowedOrigins: readonly string[]
}

function validationIssues(err: FastifyError): ValidationIssue[] {
  const where = err.validationContext ?? 'request'
  return (err.validation ?? []).map((v) => ({
    path: [where, ...v.instancePath.split('/').filter((s) => s.length > 0)],
    code: typeof v.keyword === 'string' ? v.keyword : 'invalid',
    message: v.message ?? 'invalid value',
  }))
}

/** Maps anything thrown in a handler to the one error body and status. */
function toErrorReply(err: unknown): { status: number; error: PlatformError } {
  if (err instanceof PlatformError) return { status: httpStatusOf(err), error: err }
  const fe = err as Partial<FastifyError>
  if (hasZodFastifySchemaValidationErrors(err) || fe.validation !== undefined) {
    const issues = validationIssues(err as FastifyError)
    const summary = issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    return { status: 400, error: new ValidationError(`invalid request: ${summary}`, issues) }
  }
  // Errors raised by Fastify itself (bad JSON, body too large, unsupported media type…)
  // carry a 4xx status and a message that is safe to show.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = codeOfHttpStatus(fe.statusCode)
    return {
      status: fe.statusCode,
      error: new PlatformError(code, fe.message ?? 'bad request', {
        reason: typeof fe.code === 'string' ? fe.code : 'BAD_REQUEST',
      }),
    }
  }
  return { status: 500, error: toPlatformError(err) }
}

/**
 * Builds the Fastify app: security hooks, the error model, metrics, OpenAPI and every route.
 * It does not listen; see `startHttpServer`.
 */
export async function buildHttpApp(deps: HttpDeps, options: HttpOptions): Promise<FastifyInstance> {
  const metrics = deps.metrics ?? createHttpMetrics()
  const app = Fastify({
    // Our own server, so every timeout is set in one place, and checked every second rather
    // than Node's default 30 s (a slow-header client is cut within ~1 s of its deadline).
    serverFactory: (handler) =>
      createServer(
        {
          headersTimeout: options.headersTimeoutMs,
          requestTimeout: options.requestTimeoutMs,
          keepAliveTimeout: options.keepAliveTimeoutMs,
          connectionsCheckingInterval: 1000,
          maxHeaderSize: 16 * 1024,
        },
        handler,
      ),
    loggerInstance: deps.logger,
    // Per-request timings go to Prometheus; logs carry only failures.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => newRequestId(),
    requestIdHeader: false,
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connectionTimeout: 0,
    maxRequestsPerSocket: 10_000,
    // secure-json-parse rejects `__proto__` and `constructor.prototype` keys (prototype poisoning).
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Router-level failures (malformed percent-encoding, over-long parameters) get the same
    // error envelope as everything else.
    frameworkErrors: (err, req, reply) => {
      if (isMlflowPath(req.url)) {
        // MLflow clients parse MLflow's error body, even for a URL the router rejects.
        const mlflow = toMlflowError(err)
        void (reply as FastifyReply).code(mlflow.status).send(mlflow.body)
        return
      }
      const { status, error } = toErrorReply(err)
      // These errors arise before routing, so the reply is not tied to any route's schema.
      void (reply as FastifyReply).code(status).send({ error: error.toJSON() })
    },
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // JSON only: a `text/plain` POST is a CORS "simple request" a foreign page can send blind.
  app.removeContentTypeParser('text/plain')

  registerSecurity(app, options)

  app.addHook('onResponse', async (req, reply) => {
    metrics.requestDuration.observe(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    )
    if (reply.statusCode >= 500) {
      req.log.warn({ url: req.url, status: reply.statusCode }, 'request failed')
    }
  })
  // Once shutdown starts, responses to in-flight requests close their connection, so the
  // server need not wait for kept-alive sockets to time out.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id)
    if (closing) reply.header('connection', 'close')
    return payload
  })

  app.setErrorHandler(async (err, req, reply) => {
    const { status, error } = toErrorReply(err)
    if (status >= 500) req.log.error({ err }, 'unhandled error')
    return reply.code(status).send({ error: error.toJSON() })
  })
  app.setNotFoundHandler(async (req, reply) =>
    reply.code(404).send({
      error: {
        code: 'NOT_FOUND',
        message: `no route for ${req.method} ${req.url.split('?')[0] ?? ''}`,
        details: {},
      },
    }),
  )

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Plinth API',
        version: deps.version,
        description: 'The HTTP API of Plinth, a self-hosted machine-learning platform.',
      },
    },
    transform: jsonSchemaTransform,
  })

  registerSystemRoutes(app, {
    readiness: deps.readiness,
    registry: metrics.registry,
    version: deps.version,
  })
  await app.register(
    async (api) => {
      registerWorkspaceRoutes(api, deps.services.workspaces)
      registerArtifactRoutes(api, deps.services.artifacts, {
        uploadLimitBytes: options.uploadLimitBytes,
      })
      registerDatasetRoutes(api, deps.services.datasets, {
        uploadLimitBytes: options.uploadLimitBytes,
      })
      registerDatasetValidationRoutes(api, deps.services.datasetValidation)
    },
    { prefix: '/api/v1' },
  )
  const { tracking, registry } = deps.services
  if (tracking !== undefined) {
    // MLflow REST API 2.0 under /api/2.0 and /ajax-api/2.0, with MLflow's error body.
    await registerMlflowRoutes(
      app,
      { tracking, ...(registry === undefined ? {} : { registry }) },
      { uploadLimitBytes: options.uploadLimitBytes },
    )
  }
  await app.ready()
  return app
}
