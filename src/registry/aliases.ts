import type { RequestContext } from '../core/index.js'
import { checkAliasName, checkVersionNumber } from './names.js'
import { aliasNotFound, versionNotFound, type RegistryOps } from './ops.js'
import { findVersionRow, lockModelRow, touchModelRow } from './repo.js'
import { deleteAliasRow, findAliasRow, upsertAliasRow } from './repo-aliases.js'

/* Alias moves, each written with its audit entry (who, when, from which version, to which). */

/**
 * Points `alias` at the version (creating it or moving it from another version; one version
 * per alias per model). The move is audited with the previous and new version.
 */
export async function setRegisteredModelAlias(
  ops: RegistryOps,
  ctx: RequestContext,
  name: string,
  alias: string,
  version: number | string,
): Promise<void> {
  const a = checkAliasName(alias)
  const n = checkVersionNumber(version)
  const model = await ops.requireModelRow(ctx, name)
  const now = ops.deps.clock.now()
  const from = await ops.deps.metadata.transaction(async (trx) => {
    await lockModelRow(trx, ctx.workspace, model.id)
    const row = await findVersionRow(trx, ctx.workspace, model.id, n)
    if (row === undefined) throw versionNotFound(model.name, n)
    const previous = await findAliasRow(trx, ctx.workspace, model.id, a)
    if (previous?.versionId === row.id) return 'unchanged' as const
    await upsertAliasRow(trx, ctx.workspace, model.id, a, row.id, now, ctx.actor)
    await touchModelRow(trx, ctx.workspace, model.id, now, ctx.actor)
    await ops.audit(trx, ctx, now, [
      {
        modelId: model.id,
        modelName: model.name,
        action: 'alias.set',
        version: n,
        alias: a,
        from: previous === undefined ? null : String(previous.version),
        to: String(n),
      },
    ])
    return previous?.version ?? null
  })
  if (from !== 'unchanged') {
    await ops.publish(ctx, 'model.alias.changed', { name: model.name, alias: a, from, to: n })
  }
}

/** Removes the alias; `NOT_FOUND` if the model has no such alias. Audited. */
export async function deleteRegisteredModelAlias(
  ops: RegistryOps,
  ctx: RequestContext,
  name: string,
  alias: string,
): Promise<void> {
  const a = checkAliasName(alias)
  const model = await ops.requireModelRow(ctx, name)
  const now = ops.deps.clock.now()
  const from = await ops.deps.metadata.transaction(async (trx) => {
    await lockModelRow(trx, ctx.workspace, model.id)
    const previous = await findAliasRow(trx, ctx.workspace, model.id, a)
    if (previous === undefined) throw aliasNotFound(model.name, a)
    await deleteAliasRow(trx, ctx.workspace, model.id, a)
    await touchModelRow(trx, ctx.workspace, model.id, now, ctx.actor)
    await ops.audit(trx, ctx, now, [
      {
        modelId: model.id,
        modelName: model.name,
        action: 'alias.deleted',
        version: previous.version,
        alias: a,
        from: String(previous.version),
        to: null,
      },
    ])
    return previous.version
  })
  await ops.publish(ctx, 'model.alias.changed', { name: model.name, alias: a, from, to: null })
}
