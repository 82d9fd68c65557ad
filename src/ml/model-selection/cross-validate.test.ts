import { describe, expect, it } from 'vitest'

import { columnFromArray, createFrame } from '../../frame/index.js'
import { DummyClassifier } from '../dummy/index.js'

import { crossValidate } from './index.js'

const X = createFrame([
  columnFromArray(
    'x',
    Array.from({ length: 40 }, (_, i) => i),
  ),
])
const y = columnFromArray(
  'y',
  Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 'a' : 'b')),
)

describe('crossValidate', () => {
  it('workers equal the calling thread', async () => {
    const seq = await crossValidate(new DummyClassifier(), X, y, {
      cv: 4,
      nJobs: 1,
      scoring: ['accuracy'],
    })
    const par = await crossValidate(new DummyClassifier(), X, y, {
      cv: 4,
      nJobs: 2,
      scoring: ['accuracy'],
    })
    expect(par.testScores).toEqual(seq.testScores)
  })
})
