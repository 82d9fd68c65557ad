import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { CONFIG_FIELDS, loadConfig } from './config.js'

function dir(files: Record<string, string> = {}): string {
  const d = mkdtempSync(path.join(tmpdir(), 'plinth-config-'))
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(d, name), content)
  return d
}

describe('loadConfig', () => {
  it('has defaults for everything, with URLs under the data dir', () => {
    const cwd = dir()
    const c = loadConfig({ cwd, env: {} })
    expect(c.dataDir).toBe(path.join(cwd, '.plinth'))
    expect(c.metadata.url).toBe(`sqlite:${path.join(cwd, '.plinth', 'plinth.db')}`)
    expect(c.artifacts.url).toBe(`file:${path.join(cwd, '.plinth', 'artifacts')}`)
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 7700, bodyLimitBytes: 1_048_576 })
    expect(c.sources).toEqual({})
  })

  it('layers defaults < file < env < flags, and records the source of each value', () => {
    const cwd = dir({
      'plinth.config.json': JSON.stringify({
        server: { port: 1111, host: '0.0.0.0' },
        log: { level: 'debug' },
      }),
    })
    const c = loadConfig({
      cwd,
      env: { PLINTH_SERVER_PORT: '2222', PLINTH_LOG_LEVEL: 'error' },
      flags: { 'server.port': 3333 },
      defaults: { 'log.level': 'warn', 'server.bodyLimitBytes': 4096 },
    })
    expect(c.server.port).toBe(3333)
    expect(c.server.host).toBe('0.0.0.0')
    expect(c.log.level).toBe('error')
    expect(c.server.bodyLimitBytes).toBe(4096)
    expect(c.sources).toEqual({
      'server.port': 'command-line flag',
      'server.host': 'plinth.config.json',
      'log.level': 'PLINTH_LOG_LEVEL',
    })
  })

  it('derives env names from the schema and parses lists', () => {
    const names = CONFIG_FIELDS.map((f) => f.env)
    expect(names).toContain('PLINTH_DATA_DIR')
    expect(names).toContain('PLINTH_METADATA_URL')
    expect(names).toContain('PLINTH_SERVER_ALLOWED_HOSTS')
    const c = loadConfig({
      cwd: dir(),
      env: { PLINTH_SERVER_ALLOWED_HOSTS: 'a.example, b.example,' },
    })
    expect(c.server.allowedHosts).toEqual(['a.example', 'b.example'])
  })

  it('reports every bad field with its source', () => {
    const cwd = dir({ 'plinth.config.json': JSON.stringify({ server: { port: 'x' }, nope: 1 }) })
    try {
      loadConfig({
        cwd,
        env: { PLINTH_SERVER_HEADERS_TIMEOUT_MS: ' 12abc', PLINTH_LOG_LEVEL: 'loud' },
      })
      expect.unreachable()
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT' })
      const issues = (err as { issues: { path: string[]; message: string }[] }).issues
      const byPath = Object.fromEntries(issues.map((i) => [i.path.join('.'), i.message]))
      expect(Object.keys(byPath).sort()).toEqual([
        '',
        'log.level',
        'server.headersTimeoutMs',
        'server.port',
      ])
      expect(byPath['server.headersTimeoutMs']).toContain('PLINTH_SERVER_HEADERS_TIMEOUT_MS')
      expect(byPath['log.level']).toContain('PLINTH_LOG_LEVEL')
      expect(byPath['server.port']).toContain('plinth.config.json')
    }
  })

  it('rejects empty-string and fractional numbers from the environment', () => {
    expect(() => loadConfig({ cwd: dir(), env: { PLINTH_SERVER_PORT: '1.5' } })).toThrow(
      /server.port/,
    )
    // An empty variable counts as unset.
    expect(loadConfig({ cwd: dir(), env: { PLINTH_SERVER_PORT: '' } }).server.port).toBe(7700)
  })

  it('fails clearly on a missing explicit file and on invalid JSON', () => {
    expect(() => loadConfig({ cwd: dir(), env: {}, configFile: 'missing.json' })).toThrow(
      /not found/,
    )
    expect(() => loadConfig({ cwd: dir({ 'plinth.config.json': '{' }), env: {} })).toThrow(
      /not valid JSON/,
    )
    expect(() => loadConfig({ cwd: dir({ 'plinth.config.json': '[]' }), env: {} })).toThrow(
      /JSON object/,
    )
  })

  it('ignores prototype-polluting keys in the file', () => {
    const cwd = dir({
      'plinth.config.json': '{"__proto__": {"polluted": 1}, "server": {"port": 1}}',
    })
    const c = loadConfig({ cwd, env: {} })
    expect(c.server.port).toBe(1)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('is deeply frozen', () => {
    const c = loadConfig({ cwd: dir(), env: {} })
    expect(
      Object.isFrozen(c) && Object.isFrozen(c.server) && Object.isFrozen(c.server.allowedHosts),
    ).toBe(true)
  })
})
