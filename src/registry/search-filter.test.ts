import { describe, expect, it } from 'vitest'

import { ValidationError } from '../core/index.js'
import { MODEL_FILTER_SPEC, VERSION_FILTER_SPEC } from './repo-search.js'
import { decodeOffsetToken, encodeOffsetToken, parseFilter, parseOrderBy } from './search-filter.js'

function messageOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError) return err.issues[0]?.message
    throw err
  }
  throw new Error('expected a ValidationError')
}

describe('parseFilter', () => {
  it('parses MLflow registry filters', () => {
    expect(parseFilter(undefined, MODEL_FILTER_SPEC)).toEqual([])
    expect(parseFilter('  ', MODEL_FILTER_SPEC)).toEqual([])
    expect(parseFilter("name LIKE '%churn%'", MODEL_FILTER_SPEC)).toEqual([
      { field: { kind: 'attribute', name: 'name' }, op: 'LIKE', value: '%churn%' },
    ])
    expect(
      parseFilter(
        `name = "a" and tags.team != 'risk' AND tags.\`my key\` ilike 'x%' AND name IN ('a', 'b')`,
        MODEL_FILTER_SPEC,
      ),
    ).toEqual([
      { field: { kind: 'attribute', name: 'name' }, op: '=', value: 'a' },
      { field: { kind: 'tag', key: 'team' }, op: '!=', value: 'risk' },
      { field: { kind: 'tag', key: 'my key' }, op: 'ILIKE', value: 'x%' },
      { field: { kind: 'attribute', name: 'name' }, op: 'IN', value: ['a', 'b'] },
    ])
    expect(parseFilter("tags.\"a.b\" = 'it''s'", MODEL_FILTER_SPEC)).toEqual([
      { field: { kind: 'tag', key: 'a.b' }, op: '=', value: "it's" },
    ])
  })

  it('parses version filters with numbers', () => {
    expect(
      parseFilter("name='m' AND version_number >= 2 AND run_id IN ('a','b')", VERSION_FILTER_SPEC),
    ).toEqual([
      { field: { kind: 'attribute', name: 'name' }, op: '=', value: 'm' },
      { field: { kind: 'attribute', name: 'version_number' }, op: '>=', value: 2 },
      { field: { kind: 'attribute', name: 'run_id' }, op: 'IN', value: ['a', 'b'] },
    ])
  })

  it('rejects what it cannot honour, with a message saying why', () => {
    expect(messageOf(() => parseFilter("owner = 'x'", MODEL_FILTER_SPEC))).toBe(
      "unknown attribute 'owner'; expected name, tags.<key>",
    )
    expect(messageOf(() => parseFilter("name = 'a' OR name = 'b'", MODEL_FILTER_SPEC))).toBe(
      "clauses are joined with AND (OR is not supported by MLflow's registry search)",
    )
    expect(messageOf(() => parseFilter("name > 'a'", MODEL_FILTER_SPEC))).toMatch(
      /^operator > is not supported on 'name'/,
    )
    expect(messageOf(() => parseFilter("name = 'a", MODEL_FILTER_SPEC))).toBe(
      "unterminated 'quoted' string",
    )
    expect(messageOf(() => parseFilter('name = a', MODEL_FILTER_SPEC))).toBe(
      "'name' takes a quoted string",
    )
    expect(messageOf(() => parseFilter("version_number = 'x'", VERSION_FILTER_SPEC))).toBe(
      "'version_number' takes a number",
    )
    expect(messageOf(() => parseFilter("name = 'a'; drop table x", MODEL_FILTER_SPEC))).toBe(
      "unexpected ';'",
    )
  })
})

describe('parseOrderBy', () => {
  it('maps aliases and directions', () => {
    expect(
      parseOrderBy(['name DESC', 'timestamp', 'name'], {
        name: 'name',
        timestamp: 'last_updated_timestamp',
      }),
    ).toEqual([
      { key: 'name', direction: 'desc' },
      { key: 'last_updated_timestamp', direction: 'asc' },
    ])
    expect(() => parseOrderBy(['size'], { name: 'name' })).toThrow(ValidationError)
    expect(() => parseOrderBy(['name sideways'], { name: 'name' })).toThrow(ValidationError)
  })
})

describe('offset page tokens', () => {
  it('round-trip and refuse forgeries', () => {
    expect(decodeOffsetToken(encodeOffsetToken(300))).toBe(300)
    expect(decodeOffsetToken(undefined)).toBe(0)
    for (const bad of ['!!', 'x'.repeat(300), Buffer.from('{"offset":-1}').toString('base64url')]) {
      expect(() => decodeOffsetToken(bad)).toThrow(ValidationError)
    }
  })
})
