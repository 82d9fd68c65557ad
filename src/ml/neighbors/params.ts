/**
 * The parameters shared by the kNN classifier and regressor (scikit-learn's
 * `KNeighborsClassifier`/`KNeighborsRegressor` names, in camelCase).
 */
import { z } from 'zod'

/** Parameters of `neighbors.knn-classifier` and `neighbors.knn-regressor`. */
export const KNeighborsParamsSchema = z
  .strictObject({
    /** How many neighbours vote (or are averaged); at most the number of training rows. @default 5 */
    nNeighbors: z.int().min(1).default(5),
    /**
     * `uniform`: every neighbour counts the same. `distance`: neighbours weigh `1/distance`; a
     * query at distance 0 from some training rows takes only those rows, equally weighted
     * (scikit-learn's rule).
     * @default 'uniform'
     */
    weights: z.enum(['uniform', 'distance']).default('uniform'),
    /**
     * `brute`: every query against every training row. `kd_tree`: a KD-tree (fast for few
     * features). `auto`: scikit-learn's choice, brute force for more than 15 features, for
     * `nNeighbors ≥ n/2` or for cosine, the KD-tree otherwise. Both give identical neighbours.
     * @default 'auto'
     */
    algorithm: z.enum(['auto', 'brute', 'kd_tree']).default('auto'),
    /** Rows per KD-tree leaf (speed only; results do not depend on it). @default 30 */
    leafSize: z.int().min(1).default(30),
    /**
     * `minkowski` (with `p`; `p = 2` is Euclidean), `euclidean`, `manhattan`, or `cosine`
     * (`1 − cos`, brute force only).
     * @default 'minkowski'
     */
    metric: z.enum(['minkowski', 'euclidean', 'manhattan', 'cosine']).default('minkowski'),
    /** The power of the Minkowski metric (finite, ≥ 1); ignored by the other metrics. @default 2 */
    p: z.number().min(1).default(2),
  })
  .superRefine((v, ctx) => {
    if (v.algorithm === 'kd_tree' && v.metric === 'cosine') {
      ctx.addIssue({
        code: 'custom',
        path: ['algorithm'],
        message:
          "the cosine metric needs algorithm 'brute' or 'auto' (a KD-tree needs a Minkowski metric)",
      })
    }
  })

/** Parameters of the kNN estimators, as given (defaults applied at fit). */
export type KNeighborsParams = z.input<typeof KNeighborsParamsSchema>
/** Parameters of the kNN estimators after defaults. */
export type KNeighborsResolved = z.output<typeof KNeighborsParamsSchema>
