import { randomUUID } from 'node:crypto'

import { NotFoundError, ValidationError, type RequestContext } from '../core/index.js'
import type { CreateModelVersionInput, ModelStage, ModelVersion } from './entities.js'
import {
  MAX_SOURCE,
  checkModelName,
  checkStage,
  checkTags,
  checkText,
  checkVersionNumber,
  parseRunsUri,
} from './names.js'
import { modelNotFound, versionNotFound, type AuditEntry, type RegistryOps } from './ops.js'
import { resolveRegistration } from './registration.js'
import {
  allocateVersionNumber,
  deleteVersionRow,
  findModelRowByName,
  findVersionRow,
  insertVersionDatasets,
  insertVersionRow,
  listVersionRowsInStage,
  lockModelRow,
  touchModelRow,
  updateVersionRow,
} from './repo.js'
import { aliasesOfVersion } from './repo-aliases.js'

/*
 * The version operations of the registry service that write more than one row: registration,
 * deletion and stage transitions, each with its audit entries.
 */

/**
 * Registers a new version of an existing model from `source` and assigns the next number.
 *
 * The version is written `PENDING_REGISTRATION`, then the registry reads what the run knows:
 * for a Plinth model (`<path>/plinth-model.json` in the run's artifacts) the kind, signature
 * and input example, plus the run's latest metrics and dataset inputs. It becomes `READY`, or
 * `FAILED_REGISTRATION` with a message when the Plinth model files are malformed. Any other
 * source (an MLflow flavor, an artifact URI) registers as an `external` version.
 * A `runs:/<id>/…` source whose run does not exist is `NOT_FOUND`.
 */
export async function createModelVersion(
  ops: RegistryOps,
  ctx: RequestContext,
  input: CreateModelVersionInput,
): Promise<ModelVersion> {
  const name = checkModelName(input.name)
  const source = checkText(input.source, 'source', MAX_SOURCE)
  if (source.trim() === '') {
    throw new ValidationError('invalid source', [
      { path: ['source'], code: 'invalid_type', message: 'required' },
    ])
  }
  const runsUri = parseRunsUri(source)
  const runId = input.runId === undefined || input.runId === '' ? runsUri?.runId : input.runId
  if (runId !== undefined && !/^[0-9a-zA-Z_-]{1,64}$/.test(runId)) {
    throw new ValidationError('invalid run id', [
      { path: ['runId'], code: 'invalid_format', message: 'expected a run id' },
    ])
  }
  if (runsUri !== undefined && runId !== runsUri.runId) {
    throw new ValidationError('source and run id disagree', [
      {
        path: ['runId'],
        code: 'invalid_value',
        message: `the source names run ${runsUri.runId}`,
      },
    ])
  }
  const description = checkText(input.description ?? '', 'description')
  const runLink = checkText(input.runLink ?? '', 'runLink', MAX_SOURCE)
  const tags = checkTags(input.tags)
  const run = runId === undefined ? undefined : await ops.deps.runs.findRun(ctx, runId)
  if (runsUri !== undefined && run === undefined) {
    throw new NotFoundError(`run '${runsUri.runId}' not found`, { runId: runsUri.runId })
  }

  const now = ops.deps.clock.now()
  const id = randomUUID().replaceAll('-', '')
  const { model, version } = await ops.deps.metadata.transaction(async (trx) => {
    const m = await findModelRowByName(trx, ctx.workspace, name)
    if (m === undefined) throw modelNotFound(name)
    const v = await allocateVersionNumber(trx, ctx.workspace, m.id, now, ctx.actor)
    await insertVersionRow(
      trx,
      {
        workspace_id: ctx.workspace,
        id,
        model_id: m.id,
        version: v,
        source,
        run_id: runId ?? null,
        run_link: runLink,
        status: 'PENDING_REGISTRATION',
        status_message: '',
        stage: 'None',
        description,
        flavor: 'external',
        model_kind: null,
        model_path: null,
        signature_json: null,
        input_example_json: null,
        metrics_json: '{}',
        created_at: now,
        created_by: ctx.actor,
        updated_at: now,
        updated_by: ctx.actor,
      },
      tags,
      [],
    )
    await ops.audit(trx, ctx, now, [
      { modelId: m.id, modelName: m.name, action: 'version.created', version: v, to: source },
    ])
    return { model: m, version: v }
  })
  await ops.publish(ctx, 'model.version.created', {
    modelId: model.id,
    name: model.name,
    version,
    source,
    runId: runId ?? null,
  })

  const outcome = await resolveRegistration(ctx, ops.deps.runs, source, runsUri, run)
  const done = ops.deps.clock.now()
  await ops.deps.metadata.transaction(async (trx) => {
    await updateVersionRow(trx, ctx.workspace, id, {
      ...outcome.patch,
      updated_at: done,
      updated_by: ctx.actor,
    })
    await insertVersionDatasets(trx, ctx.workspace, id, outcome.datasets)
    await ops.audit(trx, ctx, done, [
      {
        modelId: model.id,
        modelName: model.name,
        action: 'status.changed',
        version,
        from: 'PENDING_REGISTRATION',
        to: outcome.patch.status,
      },
    ])
  })
  await ops.publish(ctx, 'model.version.status.changed', {
    name: model.name,
    version,
    from: 'PENDING_REGISTRATION',
    to: outcome.patch.status,
  })
  return ops.getModelVersion(ctx, model.name, version)
}

/** Deletes the version, its tags and the aliases pointing at it (each alias removal audited). */
export async function deleteModelVersion(
  ops: RegistryOps,
  ctx: RequestContext,
  name: string,
  version: number | string,
): Promise<void> {
  const { model, row } = await ops.requireVersionRow(ctx, name, version)
  const now = ops.deps.clock.now()
  const aliases = await ops.deps.metadata.transaction(async (trx) => {
    await lockModelRow(trx, ctx.workspace, model.id)
    const pointing = await aliasesOfVersion(trx, ctx.workspace, row.id)
    await deleteVersionRow(trx, ctx.workspace, row.id)
    await touchModelRow(trx, ctx.workspace, model.id, now, ctx.actor)
    const v = String(row.version)
    await ops.audit(trx, ctx, now, [
      ...pointing.map((alias): AuditEntry => ({
        modelId: model.id,
        modelName: model.name,
        action: 'alias.deleted',
        version: row.version,
        alias,
        from: v,
      })),
      {
        modelId: model.id,
        modelName: model.name,
        action: 'version.deleted',
        version: row.version,
        from: row.source,
      },
    ])
    return pointing
  })
  for (const alias of aliases) {
    await ops.publish(ctx, 'model.alias.changed', {
      name: model.name,
      alias,
      from: row.version,
      to: null,
    })
  }
  await ops.publish(ctx, 'model.version.deleted', {
    modelId: model.id,
    name: model.name,
    version: row.version,
  })
}

/**
 * Moves the version to a legacy stage (deprecated in MLflow 2.9; prefer aliases). With
 * `archiveExistingVersions`, allowed only for Staging and Production, every other version in
 * that stage moves to Archived. Every change is audited.
 */
export async function transitionModelVersionStage(
  ops: RegistryOps,
  ctx: RequestContext,
  name: string,
  version: number | string,
  stage: string,
  archiveExistingVersions = false,
): Promise<ModelVersion> {
  const to = checkStage(stage)
  if (archiveExistingVersions && to !== 'Staging' && to !== 'Production') {
    throw new ValidationError('invalid stage transition', [
      {
        path: ['archiveExistingVersions'],
        code: 'invalid_value',
        message: 'may only be true when transitioning to Staging or Production',
      },
    ])
  }
  const { model } = await ops.requireVersionRow(ctx, name, version)
  const n = checkVersionNumber(version)
  const now = ops.deps.clock.now()
  const changes = await ops.deps.metadata.transaction(async (trx) => {
    // Lock, then re-read: another transition may have moved the stage since.
    await lockModelRow(trx, ctx.workspace, model.id)
    const row = await findVersionRow(trx, ctx.workspace, model.id, n)
    if (row === undefined) throw versionNotFound(model.name, n)
    const moved: { version: number; from: ModelStage; to: ModelStage }[] = []
    if (row.stage !== to) moved.push({ version: n, from: row.stage as ModelStage, to })
    await updateVersionRow(trx, ctx.workspace, row.id, {
      stage: to,
      updated_at: now,
      updated_by: ctx.actor,
    })
    if (archiveExistingVersions) {
      for (const other of await listVersionRowsInStage(trx, ctx.workspace, model.id, to)) {
        if (other.id === row.id) continue
        await updateVersionRow(trx, ctx.workspace, other.id, {
          stage: 'Archived',
          updated_at: now,
          updated_by: ctx.actor,
        })
        moved.push({ version: other.version, from: to, to: 'Archived' })
      }
    }
    await touchModelRow(trx, ctx.workspace, model.id, now, ctx.actor)
    await ops.audit(
      trx,
      ctx,
      now,
      moved.map((m) => ({
        modelId: model.id,
        modelName: model.name,
        action: 'stage.changed' as const,
        version: m.version,
        from: m.from,
        to: m.to,
      })),
    )
    return moved
  })
  for (const c of changes) {
    await ops.publish(ctx, 'model.version.stage.changed', { name: model.name, ...c })
  }
  return ops.getModelVersion(ctx, model.name, n)
}
