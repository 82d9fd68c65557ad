import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'
import type { ColumnProfile } from '../engine/profile.js'
import { columnSchemaFromProfile, parseDatasetSchema, typeFamily, wantsDomain } from './schema.js'

const column = {
  name: 'x',
  type: 'DOUBLE',
  semanticType: 'numeric',
  required: true,
  nullable: false,
  minPresence: 1,
  range: { min: 0, max: 1 },
}

function issuesOf(input: unknown): string[] {
  try {
    parseDatasetSchema(input)
  } catch (err) {
    if (err instanceof ValidationError) return err.issues.map((i) => i.path.join('.'))
    throw err
  }
  return []
}

describe('parseDatasetSchema', () => {
  it('accepts a valid schema and drops nothing', () => {
    const s = parseDatasetSchema({ version: 1, columns: [column] })
    expect(s).toEqual({ version: 1, columns: [column] })
  })

  it('lists every bad field with its path', () => {
    expect(
      issuesOf({
        version: 2,
        columns: [
          { ...column, minPresence: -0.1 },
          { ...column, name: 'y', range: { min: 3, max: 2 } },
          { ...column, name: 'x', domain: ['a', 'a'], typo: true },
        ],
      }),
    ).toEqual(
      expect.arrayContaining(['version', 'columns.0.minPresence', 'columns.1.range', 'columns.2']),
    )
  })

  it('rejects duplicate column names', () => {
    expect(issuesOf({ version: 1, columns: [column, column] })).toEqual(['columns.1.name'])
  })
})

describe('inference helpers', () => {
  const profile: ColumnProfile = {
    name: 'c',
    storageType: 'VARCHAR',
    semanticType: 'categorical',
    count: 9,
    missing: 1,
    distinct: 3,
    distinctApprox: false,
  }

  it('builds a nullable categorical column with its domain', () => {
    expect(columnSchemaFromProfile(profile, ['a', 'b', 'c'])).toEqual({
      name: 'c',
      type: 'VARCHAR',
      semanticType: 'categorical',
      required: true,
      nullable: true,
      minPresence: 0,
      domain: ['a', 'b', 'c'],
    })
    expect(wantsDomain(profile)).toBe(true)
    expect(wantsDomain({ ...profile, distinct: 101 })).toBe(false)
  })

  it('gives numeric columns their observed range', () => {
    const p: ColumnProfile = {
      ...profile,
      storageType: 'BIGINT',
      semanticType: 'numeric',
      missing: 0,
      min: -2,
      max: 7,
    }
    expect(columnSchemaFromProfile(p, undefined)).toMatchObject({
      nullable: false,
      minPresence: 1,
      range: { min: -2, max: 7 },
    })
  })

  it('groups storage types into families', () => {
    expect(typeFamily('BIGINT')).toBe(typeFamily('DECIMAL(10,2)'))
    expect(typeFamily('VARCHAR')).toBe('string')
    expect(typeFamily('TIMESTAMP WITH TIME ZONE')).toBe('temporal')
    expect(typeFamily('BOOLEAN')).toBe('boolean')
    expect(typeFamily('INTEGER[]')).toBe('other')
  })
})
