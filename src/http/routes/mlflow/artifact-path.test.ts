import { test as propTest, fc } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { TRAVERSAL_PAYLOADS } from '../../../test-support/index.js'
import { parseArtifactPath } from './artifact-path.js'
import { MlflowError } from './errors.js'

function refused(raw: string): boolean {
  try {
    parseArtifactPath(raw, 'path')
    return false
  } catch (err) {
    expect(err).toBeInstanceOf(MlflowError)
    expect((err as MlflowError).errorCode).toBe('INVALID_PARAMETER_VALUE')
    return true
  }
}

describe('parseArtifactPath', () => {
  it.each(['a', 'a/b.txt', 'model/MLmodel', 'dir.v1/x_y-z (1).bin', 'données/été.csv', '🙂'])(
    'accepts %s unchanged',
    (p) => {
      expect(parseArtifactPath(p, 'path')).toBe(p)
    },
  )

  it.each([
    '',
    '/etc/passwd',
    '../x',
    'a/../../b',
    'a/./b',
    '.',
    '..',
    'a//b',
    'a/',
    'a\\b',
    'C:/x',
    'x#/../..',
    'x?/../..',
    'x;/../..',
    '%2e%2e/x',
    'x\u0000y',
    'x.',
    'x ',
    ' x',
    '\uff0e\uff0e/x',
    '\u2025/x',
    'a\uff0fb',
    'x\u202ey',
    'a'.repeat(256),
    'a/'.repeat(600),
  ])('refuses %j', (p) => {
    expect(refused(p)).toBe(true)
  })

  it('refuses or keeps inside the root every payload of the traversal corpus', () => {
    for (const p of TRAVERSAL_PAYLOADS) {
      let out: string
      try {
        out = parseArtifactPath(p, 'path')
      } catch {
        continue
      }
      const segments = out.split('/')
      expect(
        segments.some((s) => s === '' || s === '.' || s === '..'),
        p,
      ).toBe(false)
      expect(out.startsWith('/'), p).toBe(false)
    }
  })

  it('allows the empty root only when asked', () => {
    expect(parseArtifactPath('', 'path', { allowEmpty: true })).toBe('')
  })

  propTest.prop([fc.string({ unit: 'binary', maxLength: 64 })], { numRuns: 1000, seed: 42 })(
    'never returns a path that leaves its root, whatever the input',
    (raw) => {
      let out: string
      try {
        out = parseArtifactPath(raw, 'path')
      } catch (err) {
        expect(err).toBeInstanceOf(MlflowError)
        return
      }
      // Whatever is accepted is relative, has no dot segments (also after NFKC folding), no
      // backslashes or percent signs, and is returned unchanged.
      expect(out).toBe(raw)
      const folded = out.normalize('NFKC')
      for (const s of [...out.split('/'), ...folded.split('/')]) {
        expect(['', '.', '..']).not.toContain(s)
      }
      expect(out.startsWith('/') || /[\\%]/.test(out) || out.includes('\u0000')).toBe(false)
    },
  )

  propTest.prop(
    [
      fc.array(fc.constantFrom('a', 'b', '.', '..', '', '%2e', '\\', '..\\', 'x.y'), {
        minLength: 1,
        maxLength: 8,
      }),
    ],
    { numRuns: 1000, seed: 7 },
  )('accepts a joined path only when no segment is empty, "." or ".."', (segments) => {
    const raw = segments.join('/')
    const bad = segments.some((s) => ['', '.', '..', '%2e', '\\', '..\\'].includes(s))
    expect(refused(raw)).toBe(bad)
  })
})
