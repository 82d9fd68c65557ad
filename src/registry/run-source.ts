import type { RequestContext } from '../core/index.js'
import type { DatasetLineage } from './entities.js'

/** What the registry needs to know about a tracked run. */
export interface RegistryRun {
  readonly id: string
  readonly experimentId: string
  readonly name: string
  /** `RUNNING`, `FINISHED`, `FAILED`, … */
  readonly status: string
  readonly startTime: number
  readonly endTime: number | null
  /** The run's artifact root as tracking reports it. */
  readonly artifactUri: string
  /** The latest value of each metric. */
  readonly metrics: Readonly<Record<string, number>>
  readonly tags: Readonly<Record<string, string>>
  /** Datasets the run used. */
  readonly inputs: readonly DatasetLineage[]
}

/**
 * The registry's view of experiment tracking: the few reads it makes to copy a run's model
 * metadata, metrics and dataset inputs into a model version, to build model cards and to answer
 * lineage queries. `createTrackingRunSource` implements it over the tracking service; tests pass
 * a fake.
 *
 * Every method is a read: idempotent, with no ordering guarantee beyond what it documents; a
 * run of another workspace is treated as absent.
 */
export interface RegistryRunSource {
  /** The run, or `undefined` when it does not exist (or is deleted). */
  findRun(ctx: RequestContext, runId: string): Promise<RegistryRun | undefined>
  /** The bytes of a run artifact at a run-relative path, or `undefined` when absent. */
  readArtifact(ctx: RequestContext, runId: string, path: string): Promise<Uint8Array | undefined>
  /** Runs of an experiment carrying tag `key` = `value`, newest first. */
  findRunsByTag(
    ctx: RequestContext,
    experimentId: string,
    key: string,
    value: string,
  ): Promise<readonly RegistryRun[]>
  /** Runs that recorded the dataset version as an input, newest first. */
  findRunsByDatasetVersion(
    ctx: RequestContext,
    datasetVersionId: string,
  ): Promise<readonly RegistryRun[]>
}

/** A run source for a registry without tracking: every run is absent. */
export const NO_RUNS: RegistryRunSource = Object.freeze({
  findRun: () => Promise.resolve(undefined),
  readArtifact: () => Promise.resolve(undefined),
  findRunsByTag: () => Promise.resolve([]),
  findRunsByDatasetVersion: () => Promise.resolve([]),
})
