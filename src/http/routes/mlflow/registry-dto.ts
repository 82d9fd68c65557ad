import type { WorkspaceId } from '../../../core/index.js'
import type { ModelVersion, RegisteredModel } from '../../../registry/index.js'
import type { MlflowKeyValue } from './tracking-dto.js'
import { compact } from './wire.js'

/*
 * Registry entities as MLflow writes them (model_registry.proto messages as JSON). Versions are
 * strings on the wire; timestamps are numbers; empty text and lists are left out.
 */

/** MLflow `ModelVersion`. */
export interface MlflowModelVersion {
  readonly name: string
  readonly version: string
  readonly creation_timestamp: number
  readonly last_updated_timestamp: number
  readonly user_id?: string
  readonly current_stage: string
  readonly description?: string
  readonly source: string
  readonly run_id?: string
  readonly status: string
  readonly status_message?: string
  readonly tags?: readonly MlflowKeyValue[]
  readonly run_link?: string
  readonly aliases?: readonly string[]
}

/** MLflow `RegisteredModel`. */
export interface MlflowRegisteredModel {
  readonly name: string
  readonly creation_timestamp: number
  readonly last_updated_timestamp: number
  readonly user_id?: string
  readonly description?: string
  readonly latest_versions?: readonly MlflowModelVersion[]
  readonly tags?: readonly MlflowKeyValue[]
  readonly aliases?: readonly { readonly alias: string; readonly version: string }[]
}

function tagList(tags: Readonly<Record<string, string>>): MlflowKeyValue[] {
  return Object.entries(tags)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }))
}

function text(s: string | null): string | undefined {
  return s === null || s === '' ? undefined : s
}

/** A model version as MLflow writes it. */
export function toMlflowModelVersion(v: ModelVersion): MlflowModelVersion {
  return compact({
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.createdAt,
    last_updated_timestamp: v.updatedAt,
    user_id: text(v.createdBy),
    current_stage: v.stage,
    description: text(v.description),
    source: v.source,
    run_id: text(v.runId),
    status: v.status,
    status_message: text(v.statusMessage),
    tags: tagList(v.tags),
    run_link: text(v.runLink),
    aliases: [...v.aliases],
  })
}

/** A registered model as MLflow writes it. */
export function toMlflowRegisteredModel(m: RegisteredModel): MlflowRegisteredModel {
  return compact({
    name: m.name,
    creation_timestamp: m.createdAt,
    last_updated_timestamp: m.updatedAt,
    user_id: text(m.createdBy),
    description: text(m.description),
    latest_versions: m.latestVersions.map(toMlflowModelVersion),
    tags: tagList(m.tags),
    aliases: m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })),
  })
}

const STAGES = new Set<string>(['None', 'Staging', 'Production', 'Archived'])
const STATUSES = new Set<string>(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'])

function fromTagList(list: readonly MlflowKeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const t of list ?? []) out[t.key] = t.value
  return out
}

/** What MLflow's wire carries of a model version (Plinth's extra fields are not on it). */
export interface ModelVersionWireInfo {
  readonly name: string
  readonly version: number
  readonly source: string
  readonly runId: string | null
  readonly status: ModelVersion['status']
  readonly stage: ModelVersion['stage']
  readonly description: string
  readonly tags: Readonly<Record<string, string>>
  readonly aliases: readonly string[]
  readonly createdAt: number
  readonly updatedAt: number
}

/** A model version read back from MLflow JSON. */
export function fromMlflowModelVersion(v: MlflowModelVersion): ModelVersionWireInfo {
  return {
    name: v.name,
    version: Number(v.version),
    source: v.source,
    runId: v.run_id ?? null,
    status: (STATUSES.has(v.status) ? v.status : 'READY') as ModelVersion['status'],
    stage: (STAGES.has(v.current_stage) ? v.current_stage : 'None') as ModelVersion['stage'],
    description: v.description ?? '',
    tags: fromTagList(v.tags),
    aliases: v.aliases ?? [],
    createdAt: v.creation_timestamp,
    updatedAt: v.last_updated_timestamp,
  }
}

/** What MLflow's wire carries of a registered model. */
export interface RegisteredModelWireInfo {
  readonly name: string
  readonly workspace: WorkspaceId
  readonly description: string
  readonly tags: Readonly<Record<string, string>>
  readonly aliases: readonly { readonly alias: string; readonly version: number }[]
  readonly createdAt: number
  readonly updatedAt: number
}

/** A registered model read back from MLflow JSON. */
export function fromMlflowRegisteredModel(
  m: MlflowRegisteredModel,
  workspace: WorkspaceId,
): RegisteredModelWireInfo {
  return {
    name: m.name,
    workspace,
    description: m.description ?? '',
    tags: fromTagList(m.tags),
    aliases: (m.aliases ?? []).map((a) => ({ alias: a.alias, version: Number(a.version) })),
    createdAt: m.creation_timestamp,
    updatedAt: m.last_updated_timestamp,
  }
}
