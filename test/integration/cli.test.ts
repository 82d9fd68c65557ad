import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { PassThrough } from 'node:stream'

import { describe, expect, it } from 'vitest'

import { createProgram, type CliRuntime } from '../../src/cli/index.js'
import { createCliHarness } from '../support/cli.js'

function allCommandPaths(): string[][] {
  const paths: string[][] = []
  const walk = (cmd: ReturnType<typeof createProgram>, prefix: string[]): void => {
    for (const sub of cmd.commands) {
      const p = [...prefix, sub.name()]
      paths.push(p)
      walk(sub, p)
    }
  }
  // Only the tree's shape is used; the runtime's functions are never called.
  const stub = { version: '0', stdout: new PassThrough(), stderr: new PassThrough() }
  walk(createProgram(stub as unknown as CliRuntime), [])
  return paths
}

describe('plinth CLI', () => {
  it('has --help on every command, exiting 0', async () => {
    const cli = createCliHarness()
    const paths = allCommandPaths()
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining([
        'start',
        'server',
        'doctor',
        'version',
        'workspaces list',
        'artifacts put',
      ]),
    )
    for (const p of [[], ...paths]) {
      const res = await cli.run(...p, '--help')
      expect(res.code, p.join(' ')).toBe(0)
      expect(res.stdout, p.join(' ')).toContain('Usage: plinth')
      expect(res.stdout, p.join(' ')).toContain('--json')
    }
  })

  it('prints the version, as text and JSON', async () => {
    const cli = createCliHarness()
    expect((await cli.run('version')).stdout).toBe(`plinth 0.0.0-test (node ${process.version})\n`)
    expect(JSON.parse((await cli.run('version', '--json')).stdout)).toEqual({
      name: 'plinth',
      version: '0.0.0-test',
      node: process.version,
    })
  })

  it('doctor reports the configuration and every store', async () => {
    const cli = createCliHarness()
    const res = await cli.run('doctor', '--json')
    expect(res.code).toBe(0)
    const report = JSON.parse(res.stdout) as {
      ok: boolean
      checks: { name: string; ok: boolean }[]
    }
    expect(report.ok).toBe(true)
    expect(report.checks.map((c) => c.name)).toEqual(['node', 'metadata', 'artifacts', 'schema'])
    const text = await cli.run('doctor')
    expect(text.stdout).toMatch(/metadata\s+ok/)
  })

  it('doctor fails with exit 7 when a store is unreachable', async () => {
    const cli = createCliHarness()
    const res = await cli.run(
      'doctor',
      '--json',
      '--metadata-url',
      'postgres://nobody@127.0.0.1:1/none',
    )
    expect(res.code).toBe(7)
    const report = JSON.parse(res.stdout) as {
      ok: boolean
      checks: { name: string; ok: boolean; detail: string }[]
    }
    expect(report.ok).toBe(false)
    expect(report.checks.some((c) => !c.ok)).toBe(true)
  })

  it('creates and lists workspaces; duplicates exit 4', async () => {
    const cli = createCliHarness()
    expect((await cli.run('workspaces', 'create', 'team-a', '--display-name', 'Team A')).code).toBe(
      0,
    )
    const list = JSON.parse((await cli.run('workspaces', 'list', '--json')).stdout) as {
      workspaces: { id: string }[]
    }
    expect(list.workspaces.map((w) => w.id)).toEqual(['default', 'team-a'])
    const dup = await cli.run('workspaces', 'create', 'team-a')
    expect(dup.code).toBe(4)
    expect(dup.stderr).toContain("workspace 'team-a' already exists")
  })

  it('round-trips a file through artifacts put/get, scoped by --workspace', async () => {
    const cli = createCliHarness()
    const file = path.join(cli.dir, 'in.txt')
    writeFileSync(file, 'payload bytes')
    await cli.run('workspaces', 'create', 'w1')
    const put = await cli.run('artifacts', 'put', file, '--json', '-w', 'w1')
    expect(put.code).toBe(0)
    const { id } = JSON.parse(put.stdout) as { id: string }
    const out = path.join(cli.dir, 'out.txt')
    expect((await cli.run('artifacts', 'get', id, '-o', out, '-w', 'w1')).code).toBe(0)
    expect((await import('node:fs')).readFileSync(out, 'utf8')).toBe('payload bytes')
    // Invisible from the default workspace.
    const other = await cli.run('artifacts', 'show', id, '--json')
    expect(other.code).toBe(3)
    expect(JSON.parse(other.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } })
    const table = await cli.run('artifacts', 'list', '-w', 'w1')
    expect(table.stdout).toContain('in.txt')
  })

  it('ingests, splits, infers a schema and validates batches (exit 5 on anomalies)', async () => {
    const cli = createCliHarness()
    const csv = path.join(cli.dir, 'train.csv')
    writeFileSync(
      csv,
      [
        'x,color',
        ...Array.from({ length: 60 }, (_, i) => `${String(i)},${i % 2 === 0 ? 'red' : 'blue'}`),
      ].join('\n') + '\n',
    )
    expect((await cli.run('datasets', 'ingest', csv, '--name', 'toy')).code).toBe(0)
    const split = await cli.run(
      'datasets',
      'split',
      'toy',
      '--kind',
      'random',
      '--fractions',
      'train=0.5,test=0.5',
      '--json',
    )
    expect(split.code).toBe(0)
    expect(
      (JSON.parse(split.stdout) as { partitions: { name: string }[] }).partitions.map(
        (p) => p.name,
      ),
    ).toEqual(['toy.train', 'toy.test'])
    expect((await cli.run('datasets', 'schema', 'toy', '--infer', 'toy@1')).code).toBe(0)
    const clean = await cli.run('datasets', 'validate', csv, '--dataset', 'toy')
    expect(clean.code).toBe(0)
    const bad = path.join(cli.dir, 'bad.csv')
    writeFileSync(bad, 'x,color\n1,green\n2,red\n')
    const res = await cli.run('datasets', 'validate', bad, '--dataset', 'toy', '--json')
    expect(res.code).toBe(5)
    expect(JSON.parse(res.stdout)).toMatchObject({
      ok: false,
      anomalies: expect.arrayContaining([
        expect.objectContaining({ kind: 'unseen_category' }),
      ]) as unknown,
    })
    expect((await cli.run('datasets', 'profile', 'toy')).stdout).toContain('color')
  })

  it('maps usage errors and invalid input to exit 2', async () => {
    const cli = createCliHarness()
    expect((await cli.run('no-such-command')).code).toBe(2)
    expect((await cli.run('artifacts', 'list', '--limit', 'abc')).code).toBe(2)
    const badWs = await cli.run('artifacts', 'list', '-w', '../etc')
    expect(badWs.code).toBe(2)
    expect(badWs.stderr).toContain('workspace')
    const badConfig = await cli.run('doctor', '--log-level', 'loud')
    expect(badConfig.code).toBe(2)
  })
})
