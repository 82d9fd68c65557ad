/**
 * A {@link TreeEnsemble} as JSON-safe, bit-exact state (every array base64-encoded), and back,
 * checked field by field on the way in.
 */
import { ValidationError } from '../../../core/index.js'
import {
  badState,
  decodeF64,
  decodeI32,
  decodeU8,
  encodeArray,
  type EncodedArray,
} from '../../base/index.js'

import { makeEnsemble } from './builder.js'

import type { FlatTree, TreeEnsemble, TreeLink } from './types.js'

/** The JSON form of one {@link FlatTree}. */
export interface FlatTreeState {
  readonly nNodes: number
  readonly feature: EncodedArray
  readonly threshold: EncodedArray
  readonly left: EncodedArray
  readonly right: EncodedArray
  readonly missingLeft: EncodedArray
  readonly value: EncodedArray
  readonly cover: EncodedArray
  readonly gain: EncodedArray
  readonly catOffset: EncodedArray
  readonly catWords: EncodedArray
  /** The Uint32 bitset words, stored as the same bits in an Int32 array. */
  readonly catBits: EncodedArray
}

/** The JSON form of a {@link TreeEnsemble} (put it under a model state's `state`). */
export interface TreeEnsembleState {
  readonly nFeatures: number
  readonly nOutputs: number
  readonly leafWidth: number
  readonly treeGroup: EncodedArray
  readonly baseScore: EncodedArray
  readonly aggregate: 'sum' | 'mean'
  readonly link: TreeLink
  readonly precision: 'f64' | 'f32'
  readonly accumulate: 'f64' | 'f32'
  readonly trees: readonly FlatTreeState[]
}

function treeToState(t: FlatTree): FlatTreeState {
  return {
    nNodes: t.nNodes,
    feature: encodeArray(t.feature),
    threshold: encodeArray(t.threshold),
    left: encodeArray(t.left),
    right: encodeArray(t.right),
    missingLeft: encodeArray(t.missingLeft),
    value: encodeArray(t.value),
    cover: encodeArray(t.cover),
    gain: encodeArray(t.gain),
    catOffset: encodeArray(t.catOffset),
    catWords: encodeArray(t.catWords),
    catBits: encodeArray(new Int32Array(t.catBits.buffer, t.catBits.byteOffset, t.catBits.length)),
  }
}

/**
 * The JSON-safe state of an ensemble: plain numbers and strings plus base64 arrays, so
 * {@link ensembleFromState} rebuilds it bit for bit (thresholds, leaf values, NaN payloads).
 */
export function ensembleToState(e: TreeEnsemble): TreeEnsembleState {
  return {
    nFeatures: e.nFeatures,
    nOutputs: e.nOutputs,
    leafWidth: e.leafWidth,
    treeGroup: encodeArray(e.treeGroup),
    baseScore: encodeArray(e.baseScore),
    aggregate: e.aggregate,
    link: e.link,
    precision: e.precision,
    accumulate: e.accumulate ?? 'f64',
    trees: e.trees.map(treeToState),
  }
}

function record(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw badState(path, 'expected an object')
  return v as Record<string, unknown>
}

function int(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    throw badState(path, `expected an integer ≥ ${min}`)
  return v
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw badState(path, `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}`)
  return v as T
}

function treeFromState(v: unknown, path: string): FlatTree {
  const s = record(v, path)
  const bits = decodeI32(s['catBits'], `${path}.catBits`)
  return {
    nNodes: int(s['nNodes'], `${path}.nNodes`, 1),
    feature: decodeI32(s['feature'], `${path}.feature`),
    threshold: decodeF64(s['threshold'], `${path}.threshold`),
    left: decodeI32(s['left'], `${path}.left`),
    right: decodeI32(s['right'], `${path}.right`),
    missingLeft: decodeU8(s['missingLeft'], `${path}.missingLeft`),
    value: decodeF64(s['value'], `${path}.value`),
    cover: decodeF64(s['cover'], `${path}.cover`),
    gain: decodeF64(s['gain'], `${path}.gain`),
    catOffset: decodeI32(s['catOffset'], `${path}.catOffset`),
    catWords: decodeI32(s['catWords'], `${path}.catWords`),
    catBits: new Uint32Array(bits.buffer, bits.byteOffset, bits.length),
  }
}

/**
 * Rebuilds an ensemble from {@link ensembleToState}'s output (parsed JSON).
 *
 * `path` prefixes field names in errors (`'ensemble'` gives `state.ensemble.trees.3.left`).
 *
 * @throws ValidationError for a malformed field, an array whose length does not match, a child
 *   index out of range, a node with two parents or a cycle, a feature index out of range.
 */
export function ensembleFromState(obj: unknown, path = 'ensemble'): TreeEnsemble {
  const s = record(obj, path)
  const treesRaw = s['trees']
  if (!Array.isArray(treesRaw)) throw badState(`${path}.trees`, 'expected an array')
  const trees = treesRaw.map((t, i) => treeFromState(t, `${path}.trees.${i}`))
  const nOutputs = int(s['nOutputs'], `${path}.nOutputs`, 1)
  const options = {
    nFeatures: int(s['nFeatures'], `${path}.nFeatures`, 0),
    nOutputs,
    leafWidth: int(s['leafWidth'], `${path}.leafWidth`, 1),
    treeGroup: decodeI32(s['treeGroup'], `${path}.treeGroup`),
    baseScore: decodeF64(s['baseScore'], `${path}.baseScore`),
    aggregate: oneOf(s['aggregate'], `${path}.aggregate`, ['sum', 'mean'] as const),
    link: oneOf(s['link'], `${path}.link`, ['identity', 'sigmoid', 'softmax', 'exp'] as const),
    precision: oneOf(s['precision'], `${path}.precision`, ['f64', 'f32'] as const),
    accumulate: oneOf(s['accumulate'] ?? 'f64', `${path}.accumulate`, ['f64', 'f32'] as const),
  }
  try {
    return makeEnsemble(trees, options)
  } catch (err) {
    // Re-root the structural issues under the state path, like every other state error.
    if (err instanceof ValidationError && err.issues[0] !== undefined) {
      const first = err.issues[0]
      throw badState(`${path}.${first.path.join('.')}`, first.message)
    }
    throw err
  }
}
