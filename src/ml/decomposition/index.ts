/**
 * @module ml/decomposition
 * Matrix decompositions: PCA (scikit-learn `PCA` semantics; exact through a symmetric
 * eigendecomposition, or randomized).
 */
import type { EstimatorEntry } from '../base/index.js'

import { PCA_ENTRY } from './pca.js'

export { PCA, PCAModel, PCAParamsSchema, loadPCA } from './pca.js'
export type { PCAParams } from './pca.js'

/** The decomposition kinds, for `ml/registry.ts`. */
export const DECOMPOSITION_ESTIMATORS: readonly EstimatorEntry[] = [PCA_ENTRY]
