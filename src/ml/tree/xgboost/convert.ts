/**
 * XGBoost gbtree JSON → {@link TreeEnsemble}, reproducing XGBoost 1.7's CPU predictor: float32
 * inputs, thresholds and leaf values, `x < split_condition` goes left, NaN follows
 * `default_left`, the margin starts at the (transformed) base score and accumulates tree by
 * tree in float32.
 *
 * ## References
 * XGBoost 1.7 `src/predictor/cpu_predictor.cc` (`PredValueByOneTree`, float32 `out_preds`),
 * `src/objective/regression_loss.h` (`LogisticRegression::ProbToMargin`:
 * `-logf(1.0f / base_score - 1.0f)`), `src/tree/tree_model.cc` (`LoadModel`: a leaf's value is
 * its `split_conditions` entry).
 *
 * @internal
 */
import { ValidationError, validationErrorFromIssues } from '../../../core/index.js'
import { TreeBuilder, makeEnsemble, type FlatTree, type TreeEnsemble } from '../ensemble/index.js'

import { XGBoostEnvelopeSchema, XGBoostGbtreeSchema, type XGBoostTree } from './schema.js'

/** The XGBoost objectives Plinth imports. */
export const XGBOOST_OBJECTIVES = ['reg:squarederror', 'binary:logistic', 'multi:softprob'] as const
/** One of {@link XGBOOST_OBJECTIVES}. */
export type XGBoostObjective = (typeof XGBOOST_OBJECTIVES)[number]

/** An XGBoost model read into Plinth's representation. */
export interface ConvertedXGBoost {
  readonly objective: XGBoostObjective
  readonly ensemble: TreeEnsemble
  readonly featureNames: readonly string[]
  /** Number of classes (2 for binary:logistic; 0 for regression). */
  readonly nClasses: number
  /** The `version` array of the JSON (`[1, 7, 4]`), when present. */
  readonly xgboostVersion: readonly number[]
}

function fail(path: (string | number)[], code: string, message: string): ValidationError {
  return new ValidationError(`invalid XGBoost model: ${path.join('.')}: ${message}`, [
    { path, code, message },
  ])
}

function parseJson(json: string | object): unknown {
  if (typeof json !== 'string') return json
  try {
    return JSON.parse(json) as unknown
  } catch (err) {
    throw new ValidationError(
      'invalid XGBoost model: not JSON (save it with save_model("m.json"); the binary and UBJSON formats are not read)',
      [{ path: [], code: 'invalid_json', message: 'expected a JSON document' }],
      {},
      { cause: err },
    )
  }
}

/**
 * Reads and checks an XGBoost JSON model.
 *
 * @throws ValidationError with field-level issues for a malformed document, and a clear message
 *   for a booster other than gbtree, an unsupported objective, or categorical splits.
 */
export function convertXGBoost(json: string | object): ConvertedXGBoost {
  const doc = parseJson(json)
  const env = XGBoostEnvelopeSchema.safeParse(doc)
  if (!env.success) throw validationErrorFromIssues('invalid XGBoost model', env.error.issues, [])
  const booster = env.data.learner.gradient_booster.name
  if (booster !== 'gbtree') {
    throw fail(
      ['learner', 'gradient_booster', 'name'],
      'unsupported_booster',
      `booster "${booster}" is not supported (only gbtree; dart and gblinear models are not imported)`,
    )
  }
  const objective = env.data.learner.objective.name
  if (!(XGBOOST_OBJECTIVES as readonly string[]).includes(objective)) {
    throw fail(
      ['learner', 'objective', 'name'],
      'unsupported_objective',
      `objective "${objective}" is not supported (supported: ${XGBOOST_OBJECTIVES.join(', ')})`,
    )
  }
  const parsed = XGBoostGbtreeSchema.safeParse(doc)
  if (!parsed.success)
    throw validationErrorFromIssues('invalid XGBoost model', parsed.error.issues, [])
  const learner = parsed.data.learner
  const param = learner.learner_model_param
  const model = learner.gradient_booster.model
  const nFeatures = param.num_feature
  const obj = objective as XGBoostObjective

  if ((param.num_target ?? 1) !== 1)
    throw fail(
      ['learner', 'learner_model_param', 'num_target'],
      'unsupported',
      'multi-target models are not supported',
    )
  const nClasses = obj === 'multi:softprob' ? param.num_class : obj === 'binary:logistic' ? 2 : 0
  if (obj === 'multi:softprob' && nClasses < 2)
    throw fail(
      ['learner', 'learner_model_param', 'num_class'],
      'invalid',
      `multi:softprob needs num_class ≥ 2, got ${nClasses}`,
    )
  const nOutputs = obj === 'multi:softprob' ? nClasses : 1

  const trees = model.trees
  if (model.gbtree_model_param.num_trees !== trees.length)
    throw fail(
      ['learner', 'gradient_booster', 'model', 'gbtree_model_param', 'num_trees'],
      'length_mismatch',
      `num_trees is ${model.gbtree_model_param.num_trees} but ${trees.length} trees are stored`,
    )
  if (model.tree_info.length !== trees.length)
    throw fail(
      ['learner', 'gradient_booster', 'model', 'tree_info'],
      'length_mismatch',
      `expected ${trees.length} entries (one per tree), got ${model.tree_info.length}`,
    )
  model.tree_info.forEach((g, t) => {
    if (g >= nOutputs)
      throw fail(
        ['learner', 'gradient_booster', 'model', 'tree_info', t],
        'out_of_range',
        `tree ${t} adds to output ${g}, but the model has ${nOutputs}`,
      )
  })
  const types = learner.feature_types ?? []
  const catFeature = types.indexOf('c')
  if (catFeature >= 0)
    throw fail(
      ['learner', 'feature_types', catFeature],
      'unsupported',
      'categorical features are not supported by the importer (encode them before training)',
    )

  const flat = trees.map((t, i) =>
    convertTree(t, nFeatures, ['learner', 'gradient_booster', 'model', 'trees', i]),
  )

  const names = learner.feature_names ?? []
  if (names.length !== 0 && names.length !== nFeatures)
    throw fail(
      ['learner', 'feature_names'],
      'length_mismatch',
      `expected ${nFeatures} names (num_feature), got ${names.length}`,
    )
  if (new Set(names).size !== names.length)
    throw fail(['learner', 'feature_names'], 'duplicate', 'feature names must be distinct')
  const featureNames =
    names.length > 0 ? [...names] : Array.from({ length: nFeatures }, (_, j) => `f${j}`)

  const ensemble = makeEnsemble(flat, {
    nFeatures,
    nOutputs,
    treeGroup: model.tree_info,
    baseScore: new Array<number>(nOutputs).fill(baseMargin(obj, param.base_score)),
    link: obj === 'binary:logistic' ? 'sigmoid' : obj === 'multi:softprob' ? 'softmax' : 'identity',
    precision: 'f32',
    accumulate: 'f32',
  })
  return {
    objective: obj,
    ensemble,
    featureNames: Object.freeze(featureNames),
    nClasses,
    xgboostVersion: parsed.data.version ?? [],
  }
}

/** XGBoost 1.7's starting margin: `base_score` as float32, through `ProbToMargin` for logistic. */
function baseMargin(objective: XGBoostObjective, baseScore: number): number {
  const b = Math.fround(baseScore)
  if (objective !== 'binary:logistic') return b
  if (!(b > 0 && b < 1))
    throw fail(
      ['learner', 'learner_model_param', 'base_score'],
      'out_of_range',
      `binary:logistic needs 0 < base_score < 1, got ${baseScore}`,
    )
  // float32 arithmetic step by step, as `-logf(1.0f / base_score - 1.0f)` does.
  return Math.fround(-Math.log(Math.fround(Math.fround(1 / b) - 1)))
}

/**
 * One XGBoost tree, renumbered breadth-first from its root (pruned nodes XGBoost keeps in the
 * arrays are dropped). Thresholds and leaf values become float32.
 */
function convertTree(t: XGBoostTree, nFeatures: number, path: (string | number)[]): FlatTree {
  const n = t.tree_param.num_nodes
  const arrays = {
    left_children: t.left_children,
    right_children: t.right_children,
    split_indices: t.split_indices,
    split_conditions: t.split_conditions,
    default_left: t.default_left,
    base_weights: t.base_weights,
  }
  for (const [name, a] of Object.entries(arrays)) {
    if (a.length !== n)
      throw fail(
        [...path, name],
        'length_mismatch',
        `expected ${n} values (num_nodes), got ${a.length}`,
      )
  }
  if (n < 1) throw fail([...path, 'tree_param', 'num_nodes'], 'invalid', 'a tree needs a node')
  const catNodes = t.categories_nodes ?? []
  if (catNodes.length > 0 || (t.split_type ?? []).some((s) => s !== 0))
    throw fail(
      [...path, 'split_type'],
      'unsupported',
      'categorical splits are not supported by the importer',
    )
  const gain = t.loss_changes ?? []
  const hess = t.sum_hessian ?? []
  const b = new TreeBuilder()
  // queue of (XGBoost node id, Plinth node id)
  const queue: [number, number][] = [[0, b.addLeaf(0)]]
  const seen = new Uint8Array(n)
  for (let q = 0; q < queue.length; q++) {
    const [src, dst] = queue[q]!
    if (seen[src] === 1)
      throw fail([...path, 'left_children'], 'cycle', `node ${src} is reached twice`)
    seen[src] = 1
    const l = t.left_children[src]!
    const r = t.right_children[src]!
    const cover = hess[src] ?? 0
    if (l === -1) {
      if (r !== -1)
        throw fail(
          [...path, 'right_children', src],
          'invalid_child',
          `leaf ${src} has a right child`,
        )
      const v = t.split_conditions[src]!
      b.setLeaf(dst, Math.fround(v), cover)
      continue
    }
    for (const [name, c] of [
      ['left_children', l],
      ['right_children', r],
    ] as const) {
      if (c <= 0 || c >= n)
        throw fail([...path, name, src], 'out_of_range', `child ${c} is not in 1…${n - 1}`)
    }
    const feature = t.split_indices[src]!
    if (feature >= nFeatures)
      throw fail(
        [...path, 'split_indices', src],
        'out_of_range',
        `feature ${feature} is not in 0…${nFeatures - 1} (num_feature)`,
      )
    const dl = t.default_left[src]!
    b.setSplit(dst, {
      feature,
      threshold: Math.fround(t.split_conditions[src]!),
      missingLeft: dl === 1 || dl === true,
      gain: gain[src] ?? 0,
      cover,
    })
    const lDst = b.addLeaf(0)
    const rDst = b.addLeaf(0)
    b.setChildren(dst, lDst, rDst)
    queue.push([l, lDst], [r, rDst])
  }
  return b.finish(nFeatures)
}
