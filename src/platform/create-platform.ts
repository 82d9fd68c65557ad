import { mkdirSync } from 'node:fs'
import path from 'node:path'

import { systemClock, type Clock, type Logger } from '../core/index.js'
import { ArtifactService } from '../artifacts/index.js'
import { DatasetService, DatasetValidationService } from '../datasets/index.js'
import type { CheckResult, ReadinessReport } from '../http/index.js'
import type { ArtifactStore, EventBus, MetadataStore } from '../ports/index.js'
import { RegistryService, createTrackingRunSource } from '../registry/index.js'
import { TrackingService } from '../tracking/index.js'
import { WorkspaceService } from '../workspaces/index.js'
import type { PlinthConfig } from './config.js'
import { createLogger } from './logger.js'
import {
  ARTIFACT_STORES,
  EVENT_BUSES,
  createMetadataStore,
  parseArtifactsUrl,
  parseMetadataUrl,
} from './registry.js'
import { readVersion } from './version.js'

/** Everything a running Plinth is made of: config, stores and services. */
export interface Platform {
  readonly config: PlinthConfig
  readonly version: string
  readonly logger: Logger
  readonly clock: Clock
  readonly metadata: MetadataStore
  readonly artifacts: ArtifactStore
  readonly events: EventBus
  readonly services: {
    readonly workspaces: WorkspaceService
    readonly artifacts: ArtifactService
    readonly datasets: DatasetService
    readonly datasetValidation: DatasetValidationService
    readonly tracking: TrackingService
    readonly registry: RegistryService
  }
  /** Pings every store (each bounded by a timeout) for `/readyz` and `plinth doctor`. */
  readiness(): Promise<ReadinessReport>
  /** Closes the event bus, then the stores. Idempotent. */
  close(): Promise<void>
}

/** Overrides for tests and embedding. */
export interface CreatePlatformOptions {
  readonly logger?: Logger
  readonly clock?: Clock
  /** Working directory for relative paths in URLs. @default process.cwd() */
  readonly cwd?: string
  /** Time allowed for each readiness check. @default 2000 */
  readonly checkTimeoutMs?: number
}

async function timed(
  what: () => Promise<void>,
  describe: string,
  timeoutMs: number,
  clock: Clock,
): Promise<CheckResult> {
  const started = clock.monotonic()
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    await Promise.race([
      what(),
      new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () => {
          reject(new Error(`no answer within ${String(timeoutMs)} ms`))
        })
      }),
    ])
    return { ok: true, detail: describe, latencyMs: Math.round(clock.monotonic() - started) }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    return {
      ok: false,
      detail: `${describe}: ${message}`,
      latencyMs: Math.round(clock.monotonic() - started),
    }
  }
}

/**
 * The composition root: chooses adapters from the config, initialises them (applying metadata
 * migrations) and wires the services. Call `close` when done.
 *
 * @example
 * ```ts
 * const platform = await createPlatform(loadConfig())
 * const workspaces = await platform.services.workspaces.listWorkspaces(createContext())
 * await platform.close()
 * ```
 */
export async function createPlatform(
  config: PlinthConfig,
  options: CreatePlatformOptions = {},
): Promise<Platform> {
  const cwd = options.cwd ?? process.cwd()
  const logger = options.logger ?? createLogger({ level: config.log.level })
  const clock = options.clock ?? systemClock
  const deps = { clock, logger }
  const checkTimeoutMs = options.checkTimeoutMs ?? 2000

  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  const metadataConfig = parseMetadataUrl(config.metadata.url, {
    cwd,
    poolSize: config.metadata.poolSize,
  })
  const metadata = createMetadataStore(metadataConfig, deps)
  const artifactConfig = parseArtifactsUrl(config.artifacts.url, { cwd })
  const artifacts = ARTIFACT_STORES[artifactConfig.kind](artifactConfig, deps)
  const events = EVENT_BUSES.memory({ kind: 'memory' }, deps)

  try {
    await metadata.init()
    await artifacts.init()
  } catch (err) {
    await Promise.allSettled([metadata.close(), artifacts.close(), events.close()])
    throw err
  }

  const workspaces = new WorkspaceService({ metadata, events, clock })
  const artifactService = new ArtifactService({
    metadata,
    blobs: artifacts,
    events,
    clock,
    workspaces,
  })
  const datasets = new DatasetService({
    metadata,
    blobs: artifacts,
    events,
    clock,
    workspaces,
    logger,
    workDir: path.join(config.dataDir, 'work'),
  })
  const tracking = new TrackingService({
    metadata,
    blobs: artifacts,
    events,
    clock,
    workspaces,
    datasets,
  })
  let closing: Promise<void> | undefined

  return {
    config,
    version: readVersion(),
    logger,
    clock,
    metadata,
    artifacts,
    events,
    services: {
      workspaces,
      artifacts: artifactService,
      datasets,
      datasetValidation: new DatasetValidationService({ metadata, datasets, clock, events }),
      tracking,
      registry: new RegistryService({
        metadata,
        events,
        clock,
        workspaces,
        runs: createTrackingRunSource(tracking),
        datasets,
      }),
    },
    async readiness() {
      const [m, a] = await Promise.all([
        timed(() => metadata.ping(), metadata.describe(), checkTimeoutMs, clock),
        timed(() => artifacts.ping(), artifacts.describe(), checkTimeoutMs, clock),
      ])
      return { ok: m.ok && a.ok, checks: { metadata: m, artifacts: a } }
    },
    close() {
      closing ??= (async () => {
        await datasets.close()
        await events.close()
        await Promise.all([metadata.close(), artifacts.close()])
      })()
      return closing
    },
  }
}
