import type { ActorId, WorkspaceId } from '../core/index.js'

/** The registration state of a model version (MLflow's `ModelVersionStatus`). */
export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY'

/**
 * MLflow's legacy stages, deprecated in MLflow 2.9 in favour of aliases; kept because MLflow
 * clients still send them. Input is case-insensitive (`production` is `Production`).
 */
export type ModelStage = 'None' | 'Staging' | 'Production' | 'Archived'

/** Every stage, in MLflow's order. */
export const MODEL_STAGES: readonly ModelStage[] = Object.freeze([
  'None',
  'Staging',
  'Production',
  'Archived',
])

/**
 * What a version holds: `plinth` when its source carries a Plinth model (`plinth-model.json`
 * plus `model.json`) that `loadModel` can turn into a Predictor; `external` for anything else
 * (another MLflow flavor, a bare artifact URI), which the registry records but cannot load.
 */
export type ModelFlavor = 'plinth' | 'external'

/** One column of a signature. `type` is the Frame dtype or MLflow type name as recorded. */
export interface SignatureColumn {
  readonly name: string
  readonly type: string
}

/** The input and output schema of a model, from its `plinth-model.json`. */
export interface ModelSignature {
  readonly inputs: readonly SignatureColumn[]
  readonly outputs: readonly SignatureColumn[]
}

/** A dataset the version's run used, copied from the run's inputs when the version was made. */
export interface DatasetLineage {
  readonly datasetName: string
  readonly digest: string
  /** `training`, `validation`, `test` or whatever the run recorded. */
  readonly context: string
  /** The Plinth dataset version, when the input was one. */
  readonly datasetVersionId: string | null
}

/** An alias and the version number it points at. */
export interface ModelAlias {
  readonly alias: string
  readonly version: number
}

/** A registered model: a name with numbered versions (MLflow `RegisteredModel`). */
export interface RegisteredModel {
  readonly id: string
  readonly workspace: WorkspaceId
  /** Unique in its workspace. */
  readonly name: string
  readonly description: string
  readonly tags: Readonly<Record<string, string>>
  readonly aliases: readonly ModelAlias[]
  /** The newest version in each stage that has one (MLflow's `latest_versions`). */
  readonly latestVersions: readonly ModelVersion[]
  readonly createdAt: number
  readonly createdBy: ActorId
  readonly updatedAt: number
  readonly updatedBy: ActorId
}

/** One version of a registered model (MLflow `ModelVersion`, plus what Plinth knows of it). */
export interface ModelVersion {
  readonly id: string
  readonly workspace: WorkspaceId
  readonly modelId: string
  readonly name: string
  /** 1, 2, 3… per model; never reused, even after a deletion. */
  readonly version: number
  /** Where the model's files are: `runs:/<run>/<path>`, an artifact URI, … as registered. */
  readonly source: string
  readonly runId: string | null
  readonly runLink: string
  readonly status: ModelVersionStatus
  readonly statusMessage: string
  readonly stage: ModelStage
  readonly description: string
  readonly tags: Readonly<Record<string, string>>
  readonly aliases: readonly string[]
  readonly flavor: ModelFlavor
  /** The ML kind (`linear.logistic`) of a Plinth model; null otherwise. */
  readonly modelKind: string | null
  /** The run-relative folder holding `model.json` (`model`), for Plinth models. */
  readonly modelPath: string | null
  readonly signature: ModelSignature | null
  /** A few input rows as recorded with the model (JSON), or null. */
  readonly inputExample: unknown
  /** The run's latest metric values when the version was registered. */
  readonly metrics: Readonly<Record<string, number>>
  readonly datasets: readonly DatasetLineage[]
  readonly createdAt: number
  readonly createdBy: ActorId
  readonly updatedAt: number
  readonly updatedBy: ActorId
}

/** What the audit history records. */
export type RegistryAuditAction =
  | 'alias.set'
  | 'alias.deleted'
  | 'stage.changed'
  | 'status.changed'
  | 'version.created'
  | 'version.deleted'
  | 'model.created'
  | 'model.renamed'
  | 'model.deleted'

/** One entry of the audit history: who changed what, when, from what, to what. */
export interface RegistryAuditEvent {
  readonly id: string
  readonly workspace: WorkspaceId
  readonly modelId: string
  /** The model's name when it happened. */
  readonly modelName: string
  /** The version concerned (the alias's target for alias events), if any. */
  readonly version: number | null
  readonly action: RegistryAuditAction
  /** The alias, for alias events. */
  readonly alias: string | null
  /** The previous value (version number, stage, status, name) or null. */
  readonly from: string | null
  /** The new value or null (a deletion). */
  readonly to: string | null
  readonly actor: ActorId
  readonly at: number
}

/** One page of results; `nextPageToken` is absent on the last page. */
export interface RegistryPage<T> {
  readonly items: readonly T[]
  readonly nextPageToken?: string
}

/** Input of `createRegisteredModel`. */
export interface CreateRegisteredModelInput {
  readonly name: string
  /** @default '' */
  readonly description?: string
  readonly tags?: Readonly<Record<string, string>> | readonly { key: string; value: string }[]
}

/** Input of `createModelVersion`. */
export interface CreateModelVersionInput {
  /** The registered model's name (it must exist, as in MLflow). */
  readonly name: string
  /** `runs:/<run id>/<path>` or any artifact URI. */
  readonly source: string
  /** The run that produced the model; taken from a `runs:/` source when absent. */
  readonly runId?: string
  readonly runLink?: string
  readonly description?: string
  readonly tags?: Readonly<Record<string, string>> | readonly { key: string; value: string }[]
}

/** Options of `searchRegisteredModels`. */
export interface SearchRegisteredModelsOptions {
  /** `name = 'x'`, `name LIKE '%x%'`, `tags.team = 'a'`, joined with AND. */
  readonly filter?: string
  /** 1–1000. @default 100 */
  readonly maxResults?: number
  /** `name`, `last_updated_timestamp` or `creation_timestamp`, each optionally `ASC`/`DESC`. */
  readonly orderBy?: readonly string[]
  readonly pageToken?: string
}

/** Options of `searchModelVersions`. */
export interface SearchModelVersionsOptions {
  /** Attributes `name`, `version_number`, `run_id`, `source_path`, and `tags.<key>`. */
  readonly filter?: string
  /** 1–200,000. @default 10000 */
  readonly maxResults?: number
  /** `name`, `version_number`, `creation_timestamp`, `last_updated_timestamp`, ± `ASC`/`DESC`. */
  readonly orderBy?: readonly string[]
  readonly pageToken?: string
}

/** Options of `listAuditEvents`. */
export interface ListAuditEventsOptions {
  /** Only this version's events. */
  readonly version?: number
  /** Only this alias's events. */
  readonly alias?: string
  readonly actions?: readonly RegistryAuditAction[]
  /** 1–1000. @default 100 */
  readonly maxResults?: number
  readonly pageToken?: string
}

/** A parsed `models:/` URI. */
export type ModelUri =
  | { readonly kind: 'version'; readonly name: string; readonly version: number }
  | { readonly kind: 'stage'; readonly name: string; readonly stage: ModelStage }
  | { readonly kind: 'latest'; readonly name: string }
  | { readonly kind: 'alias'; readonly name: string; readonly alias: string }
