import { Readable } from 'node:stream'

import { afterEach, describe, expect, it } from 'vitest'

import { createContext, toActorId, toWorkspaceId, type DomainEvent } from '../../src/core/index.js'
import { createTestPlatform } from '../support/platform.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function setup() {
  const t = await createTestPlatform()
  cleanups.push(t.cleanup)
  const events: DomainEvent[] = []
  t.platform.events.subscribe('*', (e) => {
    events.push(e)
  })
  return { ...t, events }
}

describe('services over the real stores', () => {
  it('seeds the default workspace so a single user needs nothing', async () => {
    const { platform } = await setup()
    const ws = await platform.services.workspaces.listWorkspaces(createContext())
    expect(ws.map((w) => w.id)).toEqual(['default'])
  })

  it('records the actor on writes and publishes domain events after they commit', async () => {
    const { platform, events } = await setup()
    const alice = createContext({ actor: toActorId('alice') })
    const ws = await platform.services.workspaces.createWorkspace(alice, {
      id: 'lab',
      description: 'R&D',
    })
    expect(ws).toMatchObject({ id: 'lab', createdBy: 'alice', updatedBy: 'alice' })
    const inLab = createContext({ actor: toActorId('alice'), workspace: toWorkspaceId('lab') })
    const a = await platform.services.artifacts.putArtifact(
      inLab,
      Readable.from([Buffer.from('x')]),
      { name: 'x' },
    )
    expect(a.createdBy).toBe('alice')
    await platform.services.artifacts.deleteArtifact(inLab, a.id)
    expect(events.map((e) => [e.type, e.workspace, e.actor])).toEqual([
      ['workspace.created', 'lab', 'alice'],
      ['artifact.created', 'lab', 'alice'],
      ['artifact.deleted', 'lab', 'alice'],
    ])
  })

  it('scopes every read and write by workspace', async () => {
    const { platform } = await setup()
    const root = createContext()
    for (const id of ['a', 'b']) await platform.services.workspaces.createWorkspace(root, { id })
    const ctxA = createContext({ workspace: toWorkspaceId('a') })
    const ctxB = createContext({ workspace: toWorkspaceId('b') })
    const art = await platform.services.artifacts.putArtifact(
      ctxA,
      Readable.from([Buffer.from('only a')]),
      { name: 'f' },
    )
    expect(await platform.services.artifacts.findArtifact(ctxB, art.id)).toBeUndefined()
    await expect(platform.services.artifacts.openArtifact(ctxB, art.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    await expect(platform.services.artifacts.deleteArtifact(ctxB, art.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    expect((await platform.services.artifacts.listArtifacts(ctxB)).items).toEqual([])
    expect((await platform.services.artifacts.listArtifacts(ctxA)).items.map((x) => x.id)).toEqual([
      art.id,
    ])
  })

  it('stores identical content once while keeping separate named records', async () => {
    const { platform } = await setup()
    const ctx = createContext()
    const one = await platform.services.artifacts.putArtifact(
      ctx,
      Readable.from([Buffer.from('same')]),
      { name: 'one' },
    )
    const two = await platform.services.artifacts.putArtifact(
      ctx,
      Readable.from([Buffer.from('same')]),
      { name: 'two' },
    )
    expect(one.id).not.toBe(two.id)
    expect(one.key).toBe(two.key)
    const blobs = []
    for await (const b of platform.artifacts.list()) blobs.push(b)
    expect(blobs.map((b) => b.key)).toEqual([one.key])
    // Deleting one record leaves the other's bytes readable.
    await platform.services.artifacts.deleteArtifact(ctx, one.id)
    const { body } = await platform.services.artifacts.openArtifact(ctx, two.id)
    const chunks: Buffer[] = []
    for await (const c of body) chunks.push(c as Buffer)
    expect(Buffer.concat(chunks).toString()).toBe('same')
  })

  it('validates names with field paths and normalises them to NFC', async () => {
    const { platform } = await setup()
    const ctx = createContext()
    await expect(
      platform.services.artifacts.putArtifact(ctx, Readable.from([Buffer.from('x')]), {
        name: 'a\u202Egnp.exe',
        mediaType: 'nope',
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      issues: [
        { path: ['name'], code: 'invalid_string' },
        { path: ['mediaType'], code: 'invalid_format' },
      ],
    })
    const nfd = 'Cafe\u0301'
    const a = await platform.services.artifacts.putArtifact(
      ctx,
      Readable.from([Buffer.from('x')]),
      { name: nfd },
    )
    expect(a.name).toBe('Caf\u00e9')
  })
})
