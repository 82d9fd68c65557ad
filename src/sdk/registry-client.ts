import type { RequestContext, WorkspaceId } from '../core/index.js'
import {
  fromMlflowModelVersion,
  fromMlflowRegisteredModel,
  type MlflowClient,
  type MlflowModelVersion,
  type MlflowRegisteredModel,
} from '../http/index.js'
import type { ModelVersion, RegisteredModel, RegistryService } from '../registry/index.js'

/** What the SDK reports of a registered model, the same in embedded and remote mode. */
export type RegisteredModelInfo = Pick<
  RegisteredModel,
  'name' | 'description' | 'tags' | 'aliases' | 'createdAt' | 'updatedAt'
>

/** What the SDK reports of a model version, the same in embedded and remote mode. */
export type ModelVersionInfo = Pick<
  ModelVersion,
  | 'name'
  | 'version'
  | 'source'
  | 'runId'
  | 'status'
  | 'stage'
  | 'description'
  | 'tags'
  | 'aliases'
  | 'createdAt'
  | 'updatedAt'
>

/** Input of `registerModel`. */
export interface RegisterModelInput {
  /** The registered model's name; created when missing. */
  readonly name: string
  /** `runs:/<run id>/<path>` (the run's logged model: `runs:/<id>/model`). */
  readonly source: string
  readonly description?: string
  readonly tags?: Readonly<Record<string, string>>
}

/**
 * The SDK's model-registry entry point, embedded (the registry service in-process) or remote
 * (Plinth's MLflow-compatible registry endpoints).
 */
export interface RegistryClient {
  /** Creates the model when missing, then a new version from `source`. */
  registerModel(input: RegisterModelInput): Promise<ModelVersionInfo>
  getRegisteredModel(name: string): Promise<RegisteredModelInfo>
  getModelVersion(name: string, version: number): Promise<ModelVersionInfo>
  /** Points `alias` at `version` (moving it if it points elsewhere). */
  setAlias(name: string, alias: string, version: number): Promise<void>
  deleteAlias(name: string, alias: string): Promise<void>
  /** The version `models:/<name>@<alias>` names. */
  getVersionByAlias(name: string, alias: string): Promise<ModelVersionInfo>
}

function tagList(tags: Readonly<Record<string, string>> = {}) {
  return Object.entries(tags).map(([key, value]) => ({ key, value }))
}

/** The registry client over the service, with a fixed request context. */
export function createEmbeddedRegistryClient(
  service: RegistryService,
  ctx: RequestContext,
): RegistryClient {
  return {
    async registerModel(input) {
      if ((await service.findRegisteredModel(ctx, input.name)) === undefined) {
        try {
          await service.createRegisteredModel(ctx, { name: input.name })
        } catch (err) {
          // A concurrent registration created it first.
          if ((await service.findRegisteredModel(ctx, input.name)) === undefined) throw err
        }
      }
      return service.createModelVersion(ctx, {
        name: input.name,
        source: input.source,
        ...(input.description === undefined ? {} : { description: input.description }),
        tags: tagList(input.tags),
      })
    },
    getRegisteredModel: (name) => service.getRegisteredModel(ctx, name),
    getModelVersion: (name, version) => service.getModelVersion(ctx, name, version),
    setAlias: (name, alias, version) => service.setRegisteredModelAlias(ctx, name, alias, version),
    deleteAlias: (name, alias) => service.deleteRegisteredModelAlias(ctx, name, alias),
    getVersionByAlias: (name, alias) => service.getModelVersionByAlias(ctx, name, alias),
  }
}

/** The registry client over the MLflow-compatible registry endpoints (what MLflow clients send). */
export function createRemoteRegistryClient(
  client: MlflowClient,
  workspace: WorkspaceId,
): RegistryClient {
  const version = (mv: MlflowModelVersion): ModelVersionInfo => fromMlflowModelVersion(mv)
  return {
    async registerModel(input) {
      try {
        await client.send('POST', 'mlflow/registered-models/create', { name: input.name })
      } catch (err) {
        // MLflow's register_model goes on when the model exists; so does this.
        if (!(err instanceof Error && 'code' in err && err.code === 'ALREADY_EXISTS')) throw err
      }
      const { model_version: mv } = await client.send<{ model_version: MlflowModelVersion }>(
        'POST',
        'mlflow/model-versions/create',
        {
          name: input.name,
          source: input.source,
          ...(input.description === undefined ? {} : { description: input.description }),
          tags: tagList(input.tags),
        },
      )
      return version(mv)
    },
    async getRegisteredModel(name) {
      const { registered_model: m } = await client.get<{
        registered_model: MlflowRegisteredModel
      }>('mlflow/registered-models/get', { name })
      return fromMlflowRegisteredModel(m, workspace)
    },
    async getModelVersion(name, v) {
      const { model_version: mv } = await client.get<{ model_version: MlflowModelVersion }>(
        'mlflow/model-versions/get',
        { name, version: v },
      )
      return version(mv)
    },
    async setAlias(name, alias, v) {
      await client.send('POST', 'mlflow/registered-models/alias', {
        name,
        alias,
        version: String(v),
      })
    },
    async deleteAlias(name, alias) {
      await client.send('DELETE', 'mlflow/registered-models/alias', { name, alias })
    },
    async getVersionByAlias(name, alias) {
      const { model_version: mv } = await client.get<{ model_version: MlflowModelVersion }>(
        'mlflow/registered-models/alias',
        { name, alias },
      )
      return version(mv)
    },
  }
}
