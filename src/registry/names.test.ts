import { describe, expect, it } from 'vitest'

import { ValidationError } from '../core/index.js'
import {
  checkAliasName,
  checkModelName,
  checkStage,
  checkTags,
  checkVersionNumber,
  formatModelUri,
  parseModelUri,
  parseRunsUri,
} from './names.js'

function issueOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    if (err instanceof ValidationError) return err.issues[0]
    throw err
  }
  throw new Error('expected a ValidationError')
}

describe('checkAliasName', () => {
  it('accepts MLflow-valid aliases', () => {
    for (const a of [
      'champion',
      'challenger',
      'a',
      'prod_2024',
      'blue-green',
      'x'.repeat(255),
      'é1',
    ]) {
      expect(checkAliasName(a)).toBe(a)
    }
  })

  it("refuses what MLflow refuses: bad characters, too long, 'latest', version aliases", () => {
    expect(issueOf(() => checkAliasName(''))).toMatchObject({
      path: ['alias'],
      message: 'required',
    })
    for (const bad of ['a b', 'a.b', 'a/b', 'a@b', 'x:y', '🙂', 'a\u0000']) {
      expect(issueOf(() => checkAliasName(bad))).toMatchObject({
        code: 'invalid_format',
        message: 'may only contain letters, digits, underscores (_) and dashes (-)',
      })
    }
    expect(issueOf(() => checkAliasName('x'.repeat(256)))).toMatchObject({
      message: 'at most 255 characters',
    })
    for (const reserved of ['latest', 'LATEST', 'Latest']) {
      expect(issueOf(() => checkAliasName(reserved))).toMatchObject({
        message: "'latest' (in any case) is reserved",
      })
    }
    for (const v of ['v1', 'V12', 'v007']) {
      expect(issueOf(() => checkAliasName(v))).toMatchObject({
        message: `'${v}' is reserved for version aliases`,
      })
    }
    expect(checkAliasName('v1a')).toBe('v1a')
    expect(checkAliasName('version1')).toBe('version1')
  })
})

describe('checkModelName', () => {
  it('accepts ordinary names and normalises to NFC', () => {
    expect(checkModelName('churn')).toBe('churn')
    expect(checkModelName('Churn Model v2.1')).toBe('Churn Model v2.1')
    expect(checkModelName('cafe\u0301')).toBe('café')
  })

  it('refuses names that would make model URIs ambiguous or display wrongly', () => {
    expect(issueOf(() => checkModelName(''))).toMatchObject({ message: 'required' })
    expect(issueOf(() => checkModelName(undefined))).toMatchObject({ message: 'required' })
    expect(issueOf(() => checkModelName('a/b'))).toMatchObject({
      message: "must not contain '/' or '@'",
    })
    expect(issueOf(() => checkModelName('a@b'))).toMatchObject({
      message: "must not contain '/' or '@'",
    })
    expect(issueOf(() => checkModelName(' a'))).toMatchObject({
      message: 'must not start or end with white space',
    })
    expect(issueOf(() => checkModelName('a\u202eb'))).toMatchObject({
      message: 'must not contain control characters',
    })
    expect(issueOf(() => checkModelName('x'.repeat(257)))).toMatchObject({
      message: 'at most 256 characters',
    })
  })
})

describe('checkVersionNumber and checkStage', () => {
  it('takes numbers and decimal strings, nothing else', () => {
    expect(checkVersionNumber(3)).toBe(3)
    expect(checkVersionNumber('12')).toBe(12)
    for (const bad of [0, -1, 1.5, '01', '1e3', '', ' 1', 'one', Number.NaN, 2 ** 31, null]) {
      expect(() => checkVersionNumber(bad)).toThrow(ValidationError)
    }
  })

  it('canonicalises stage names case-insensitively', () => {
    expect(checkStage('production')).toBe('Production')
    expect(checkStage('STAGING')).toBe('Staging')
    expect(checkStage('none')).toBe('None')
    expect(checkStage('archived')).toBe('Archived')
    expect(issueOf(() => checkStage('Prod'))).toMatchObject({
      message: 'expected one of None, Staging, Production, Archived',
    })
  })
})

describe('checkTags', () => {
  it('takes records and MLflow key/value lists; later keys win', () => {
    expect(checkTags({ a: '1', b: '2' })).toEqual([
      ['a', '1'],
      ['b', '2'],
    ])
    expect(
      checkTags([
        { key: 'a', value: '1' },
        { key: 'a', value: '3' },
      ]),
    ).toEqual([['a', '3']])
  })

  it('reports every bad tag', () => {
    const err = (() => {
      try {
        checkTags([
          { key: '', value: 'x' },
          { key: 'ok', value: 'y'.repeat(5001) },
        ])
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(err).toBeInstanceOf(ValidationError)
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual([
      ['tags.0.key'],
      ['tags.1.value'],
    ])
  })
})

describe('parseModelUri', () => {
  it('parses the four forms', () => {
    expect(parseModelUri('models:/churn/3')).toEqual({ kind: 'version', name: 'churn', version: 3 })
    expect(parseModelUri('models:/churn@champion')).toEqual({
      kind: 'alias',
      name: 'churn',
      alias: 'champion',
    })
    expect(parseModelUri('models:/churn/production')).toEqual({
      kind: 'stage',
      name: 'churn',
      stage: 'Production',
    })
    expect(parseModelUri('models:/churn/latest')).toEqual({ kind: 'latest', name: 'churn' })
    expect(parseModelUri('models:/My Model/Staging')).toEqual({
      kind: 'stage',
      name: 'My Model',
      stage: 'Staging',
    })
  })

  it('round-trips through formatModelUri', () => {
    for (const uri of [
      'models:/a/1',
      'models:/a@champion',
      'models:/a/Production',
      'models:/a/latest',
    ]) {
      expect(formatModelUri(parseModelUri(uri))).toBe(uri)
    }
  })

  it('is strict', () => {
    for (const bad of [
      'models:churn/1',
      'models://churn/1',
      'model:/churn/1',
      'runs:/abc/model',
      'models:/',
      'models:/churn',
      'models:/churn/',
      'models:/churn/1/2',
      'models:/churn/0',
      'models:/churn/01',
      'models:/churn/-1',
      'models:/churn/Prod',
      'models:/churn/1?x=1',
      'models:/churn/1#f',
      'models:/ch%2Furn/1',
      'models:/@champion',
      'models:/churn@',
      'models:/churn@latest',
      'models:/churn@v2',
      'models:/churn@a b',
      'models:/churn@a/1',
      'models:/a@b@c',
      'models:/../etc/1',
      ' models:/churn/1',
    ]) {
      expect(() => parseModelUri(bad), bad).toThrow(ValidationError)
    }
  })
})

describe('parseRunsUri', () => {
  it('splits the run id from the artifact path', () => {
    expect(parseRunsUri('runs:/0123abcd/model')).toEqual({ runId: '0123abcd', path: 'model' })
    expect(parseRunsUri('runs:/0123abcd/a/b/')).toEqual({ runId: '0123abcd', path: 'a/b' })
    expect(parseRunsUri('runs:/0123abcd')).toEqual({ runId: '0123abcd', path: '' })
    expect(parseRunsUri('mlflow-artifacts:/0/x/artifacts/model')).toBeUndefined()
  })

  it('refuses traversal and encoded paths', () => {
    for (const bad of [
      'runs:/abc/../x',
      'runs:/abc/./x',
      'runs:/abc//x',
      'runs:/abc/%2e%2e/x',
      'runs:/abc/x?y',
      'runs:/abc/a\\b',
      'runs://x',
      'runs:/a b/x',
    ]) {
      expect(() => parseRunsUri(bad), bad).toThrow(ValidationError)
    }
  })
})
