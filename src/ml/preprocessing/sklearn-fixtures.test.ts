// Outputs of the preprocessing transformers against scikit-learn 1.2.1 (and, for the kinds
// sklearn 1.2 lacks, numpy implementations) on real columns of the shipped datasets. The
// fixtures come from test/fixtures/ml/preprocessing/generate.py.
import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { createColumn, createFrame, type Column, type Frame } from '../../frame/index.js'
import type { Transformer } from '../base/index.js'

import { kFoldAssignment, stratifiedKFoldAssignment } from './folds.js'
import { PREPROCESSING_ESTIMATORS } from './index.js'

type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity'
interface ColumnSpec {
  name: string
  dtype: 'f64' | 'i32' | 'bool' | 'cat' | 'str'
  values: (number | string | boolean)[]
  missing: number[]
}
interface FrameSpec {
  columns: ColumnSpec[]
}
interface Slice {
  dataset: string
  rows: [number, number]
  columns?: string[]
}
/** A column of outputs, either listed or as a dictionary of distinct values and codes into it. */
type Packed = JsonNumber[] | { dict: JsonNumber[]; codes: number[] }
interface Expected {
  names: string[]
  /** Numeric outputs, column by column. */
  columns?: Packed[]
  /** Text outputs (`cat`/`str` columns), column by column. */
  labels?: string[][]
  /** Numeric columns that follow the text ones (the imputer's indicators). */
  indicators?: Expected
}
interface Case {
  name: string
  kind: string
  params: Record<string, unknown>
  fit: Slice
  transform: Slice
  y?: { dataset: string; column: string }
  method?: 'transform' | 'fitTransform'
  expected: Expected
}
interface Fixture {
  datasets: Record<string, FrameSpec>
  cases: Case[]
  folds?: { k: number; labels: number[]; stratified: number[]; kfold: number[] }[]
}

function unpack(p: Packed | undefined): number[] {
  if (p === undefined) return []
  if (Array.isArray(p)) return p.map(num)
  return p.codes.map((c) => num(p.dict[c]))
}

const TOL = 1e-9

function readFixture(name: string): Fixture {
  return JSON.parse(
    readFileSync(
      new URL(`../../../test/fixtures/ml/preprocessing/${name}`, import.meta.url),
      'utf8',
    ),
  ) as Fixture
}

function num(v: unknown): number {
  if (v === 'NaN') return NaN
  if (v === 'Infinity') return Infinity
  if (v === '-Infinity') return -Infinity
  return Number(v)
}

function toColumn(spec: ColumnSpec): Column {
  const n = spec.values.length
  const validity =
    spec.missing.length === 0
      ? undefined
      : Uint8Array.from({ length: n }, (_, i) => (spec.missing.includes(i) ? 0 : 1))
  switch (spec.dtype) {
    case 'f64':
      return createColumn({
        name: spec.name,
        dtype: 'f64',
        values: Float64Array.from(spec.values, num),
        validity,
      })
    case 'i32':
      return createColumn({
        name: spec.name,
        dtype: 'i32',
        values: Int32Array.from(spec.values, num),
        validity,
      })
    case 'bool':
      return createColumn({
        name: spec.name,
        dtype: 'bool',
        values: Uint8Array.from(spec.values, (v) => (v === true || v === 'True' ? 1 : 0)),
        validity,
      })
    case 'str':
      return createColumn({
        name: spec.name,
        dtype: 'str',
        values: spec.values.map(String),
        validity,
      })
    case 'cat': {
      // Categories in order of first appearance, so the encoders' own sorting is exercised.
      const categories: string[] = []
      const index = new Map<string, number>()
      const codes = new Int32Array(n)
      spec.values.forEach((v, i) => {
        if (validity !== undefined && validity[i] === 0) return
        const s = String(v)
        let k = index.get(s)
        if (k === undefined) {
          k = categories.length
          categories.push(s)
          index.set(s, k)
        }
        codes[i] = k
      })
      return createColumn({ name: spec.name, dtype: 'cat', values: codes, categories, validity })
    }
  }
}

function frameOf(fx: Fixture, slice: Slice): Frame {
  const spec = fx.datasets[slice.dataset]
  if (spec === undefined) throw new Error(`no dataset ${slice.dataset}`)
  const all = createFrame(spec.columns.map(toColumn))
  const X = all.slice(slice.rows[0], slice.rows[1])
  return slice.columns === undefined ? X : X.select(slice.columns)
}

function targetOf(fx: Fixture, c: Case, slice: Slice): Column | undefined {
  if (c.y === undefined) return undefined
  const spec = fx.datasets[c.y.dataset]?.columns.find((s) => s.name === c.y?.column)
  if (spec === undefined) throw new Error(`no target ${c.y.column}`)
  return createFrame([toColumn(spec)]).slice(slice.rows[0], slice.rows[1]).columns[0]
}

function valuesOf(col: Column): number[] {
  const out: number[] = []
  for (let i = 0; i < col.length; i++) {
    if (col.validity !== undefined && col.validity[i] === 0) out.push(NaN)
    else out.push(Number(col.values[i]))
  }
  return out
}

function labelsOf(col: Column): string[] {
  const out: string[] = []
  for (let i = 0; i < col.length; i++) {
    if (col.validity !== undefined && col.validity[i] === 0) out.push('<missing>')
    else if (col.dtype === 'cat') out.push(col.categories[col.values[i]!] ?? '?')
    else out.push(String(col.values[i]))
  }
  return out
}

/** Compares an output frame with the fixture: same names, values within `TOL` (relative above 1). */
function expectFrameClose(actual: Frame, expected: Expected): void {
  if (expected.labels !== undefined) {
    const k = expected.labels.length
    const text = actual.select(actual.columns.slice(0, k).map((c) => c.name))
    expect(text.columns.map((c) => c.name)).toEqual(expected.names)
    text.columns.forEach((col, j) => {
      expect(labelsOf(col)).toEqual(expected.labels?.[j])
    })
    const rest = actual.columns.slice(k).map((c) => c.name)
    if (expected.indicators === undefined) expect(rest).toEqual([])
    else expectFrameClose(actual.select(rest), expected.indicators)
    return
  }
  expect(actual.columns.map((c) => c.name)).toEqual(expected.names)
  let worst = 0
  actual.columns.forEach((col, j) => {
    const want = unpack(expected.columns?.[j])
    const got = valuesOf(col)
    expect(got.length).toBe(want.length)
    got.forEach((g, i) => {
      const w = want[i]!
      if (Number.isNaN(w) || Number.isNaN(g)) {
        if (!(Number.isNaN(w) && Number.isNaN(g)))
          throw new Error(`${col.name}[${i}]: got ${g}, want ${w}`)
        return
      }
      const err = Math.abs(g - w) / Math.max(1, Math.abs(w))
      worst = Math.max(worst, err)
      if (err > TOL) throw new Error(`${col.name}[${i}]: got ${g}, want ${w} (error ${err})`)
    })
  })
  expect(worst).toBeLessThanOrEqual(TOL)
}

function runCase(fx: Fixture, c: Case): void {
  const entry = PREPROCESSING_ESTIMATORS.find((e) => e.kind === `preprocessing.${c.kind}`)
  if (entry === undefined) throw new Error(`no kind preprocessing.${c.kind}`)
  const est = entry.create(c.params)
  const Xfit = frameOf(fx, c.fit)
  const yfit = targetOf(fx, c, c.fit)
  let out: Frame
  if (c.method === 'fitTransform') {
    const ft = (est as { fitTransform?: (X: Frame, y?: Column) => { output: Frame } }).fitTransform
    if (ft === undefined) throw new Error('no fitTransform')
    out = ft.call(est, Xfit, yfit).output
  } else {
    const model = est.fit(Xfit, yfit) as Transformer
    out = model.transform(frameOf(fx, c.transform))
    expect(model.outputNames).toEqual([
      ...c.expected.names,
      ...(c.expected.indicators?.names ?? []),
    ])
  }
  expectFrameClose(out, c.expected)
}

const FILES = [
  'scalers.json',
  'imputer.json',
  'one-hot.json',
  'ordinal.json',
  'target-encoder.json',
  'k-bins.json',
  'polynomial.json',
  'outlier-clipper.json',
]

for (const file of FILES) {
  describe(`scikit-learn fixtures: ${file}`, () => {
    const fx = readFixture(file)
    for (const c of fx.cases)
      it(c.name, () => {
        runCase(fx, c)
      })
  })
}

describe('cross-fitting folds equal sklearn without shuffling', () => {
  const fx = readFixture('target-encoder.json')
  for (const f of fx.folds ?? []) {
    it(`KFold and StratifiedKFold, k = ${f.k}`, () => {
      expect(Array.from(kFoldAssignment(f.labels.length, f.k))).toEqual(f.kfold)
      expect(Array.from(stratifiedKFoldAssignment(Int32Array.from(f.labels), f.k))).toEqual(
        f.stratified,
      )
    })
  }
})
