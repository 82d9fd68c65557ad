import type { Writable } from 'node:stream'

import type { ArtifactService } from '../artifacts/index.js'
import type { DatasetService, DatasetValidationService } from '../datasets/index.js'
import type { ReadinessReport, RunningServer } from '../http/index.js'
import type { PlinthConfig } from '../platform/index.js'
import type { RegistryService } from '../registry/index.js'
import type { TrackingService } from '../tracking/index.js'
import type { ArtifactStore, MetadataStore } from '../ports/index.js'
import type { WorkspaceService } from '../workspaces/index.js'

/** The parts of a platform the commands use. */
export interface CliPlatform {
  readonly config: PlinthConfig
  readonly version: string
  readonly metadata: MetadataStore
  readonly artifacts: ArtifactStore
  readonly services: {
    readonly workspaces: WorkspaceService
    readonly artifacts: ArtifactService
    readonly datasets: DatasetService
    readonly datasetValidation: DatasetValidationService
    readonly tracking: TrackingService
    readonly registry: RegistryService
  }
  readiness(): Promise<ReadinessReport>
  /** Starts the HTTP API over this platform; `port` 0 picks a free port. */
  serve(overrides: { readonly host?: string; readonly port?: number }): Promise<RunningServer>
  close(): Promise<void>
}

/**
 * What the CLI needs from the outside world, injected by the binary (`bin/plinth.ts`) so the
 * commands never choose adapters and tests can run them in-process.
 */
export interface CliRuntime {
  readonly stdout: Writable
  readonly stderr: Writable
  readonly version: string
  loadConfig(options: {
    readonly configFile?: string
    readonly flags: Readonly<Record<string, unknown>>
    readonly defaults?: Readonly<Record<string, unknown>>
  }): PlinthConfig
  openPlatform(config: PlinthConfig): Promise<CliPlatform>
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); used by long-running commands. */
  waitForShutdown(): Promise<string>
}
