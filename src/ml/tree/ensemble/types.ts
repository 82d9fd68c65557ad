/**
 * The one tree representation every tree model in Plinth shares: histogram GBDT, random forest,
 * extra trees, CART and imported XGBoost models all fit or load into a {@link TreeEnsemble},
 * and one set of inference kernels predicts with it. Flat typed arrays, so prediction allocates
 * nothing per row, a model serializes bit-exactly, and export to ONNX `ai.onnx.ml`
 * TreeEnsemble (whose node lists are the same parallel arrays) is a direct copy.
 *
 * Split semantics (XGBoost's, so imported models predict identically):
 * - numeric node: a present value goes LEFT when `x < threshold`, RIGHT otherwise;
 * - a missing value (NaN) goes left when `missingLeft[node] === 1`, right otherwise;
 * - categorical node (`catOffset[node] >= 0`): category code `c` (a non-negative integer)
 *   goes LEFT when bit `c` is set in the node's bitset, right otherwise (codes beyond the
 *   bitset go right); a missing value follows `missingLeft`.
 * - a leaf has `left[node] === -1`; its output is `value[node * leafWidth … + leafWidth)`.
 *
 * `precision: 'f32'` means the model was learned on (or imported from a library that uses)
 * float32 features: inference rounds each input with `Math.fround` before comparing, and
 * thresholds are float32 values stored in the f64 array.
 */

/** One tree: parallel node arrays, node 0 the root. */
export interface FlatTree {
  readonly nNodes: number
  /** Feature index tested at the node; -1 at a leaf. */
  readonly feature: Int32Array
  /** Numeric split threshold (left when `x < threshold`); 0 at leaves and categorical nodes. */
  readonly threshold: Float64Array
  /** Child indices; -1 at a leaf. */
  readonly left: Int32Array
  readonly right: Int32Array
  /** 1 when a missing value goes left. */
  readonly missingLeft: Uint8Array
  /** Leaf outputs, `leafWidth` per node (zeros at inner nodes). */
  readonly value: Float64Array
  /** Sum of hessians (GBDT) or of sample weights (forests) reaching the node: for SHAP and importance. */
  readonly cover: Float64Array
  /** Loss reduction of the split at the node; 0 at leaves. */
  readonly gain: Float64Array
  /** Categorical splits: offset into `catBits` of the node's bitset, or -1 for a numeric node. */
  readonly catOffset: Int32Array
  /** Number of 32-bit words in the node's bitset (0 for a numeric node). */
  readonly catWords: Int32Array
  /** All categorical bitsets, concatenated. */
  readonly catBits: Uint32Array
}

/** How the summed (or averaged) leaf outputs become predictions. */
export type TreeLink = 'identity' | 'sigmoid' | 'softmax' | 'exp'

/** A fitted tree ensemble, immutable once built. */
export interface TreeEnsemble {
  /** Number of input features (columns of the dense matrix the kernels read). */
  readonly nFeatures: number
  /** Number of outputs per row: 1 for regression and binary, K for K-class softmax or forests. */
  readonly nOutputs: number
  /**
   * Values per leaf: 1 for boosting (each tree adds to output `treeGroup[t]`), or `nOutputs`
   * for forests whose leaves hold a class distribution or a multi-output value.
   */
  readonly leafWidth: number
  readonly trees: readonly FlatTree[]
  /** Output each tree adds to when `leafWidth === 1` (e.g. `t % K` for softmax). */
  readonly treeGroup: Int32Array
  /** Added to each output's raw score (margin space) before the link. */
  readonly baseScore: Float64Array
  /** `'sum'` for boosting, `'mean'` for forests. */
  readonly aggregate: 'sum' | 'mean'
  readonly link: TreeLink
  readonly precision: 'f64' | 'f32'
  /**
   * Arithmetic of the running sum of tree outputs: `'f32'` rounds the base score and every
   * partial sum to float32, as XGBoost's predictor does (imported models match it bit for bit
   * in margin space); `'f64'` (the default when absent) sums in float64.
   */
  readonly accumulate?: 'f64' | 'f32'
}
