/**
 * The parameters of `linear.logistic`: scikit-learn 1.2's `LogisticRegression` in camelCase,
 * plus `nThreads`.
 */
import { z } from 'zod'

/** Parameters of {@link LogisticRegression} (zod schema; defaults applied at fit). */
export const LogisticRegressionParamsSchema = z
  .strictObject({
    /** `'l2'`, `'l1'`, `'elasticnet'` (mix set by `l1Ratio`) or `'none'`. @default 'l2' */
    penalty: z.enum(['l2', 'l1', 'elasticnet', 'none']).default('l2'),
    /** Inverse regularisation strength (smaller = stronger). Ignored by `penalty: 'none'`. @default 1 */
    C: z
      .number()
      .positive()
      .refine((v) => Number.isFinite(v), 'must be finite')
      .default(1),
    /** For `elasticnet`: the share of L1 in [0, 1] (0 = L2, 1 = L1). */
    l1Ratio: z.number().min(0).max(1).optional(),
    /** Fit an (unpenalised) intercept per class. @default true */
    fitIntercept: z.boolean().default(true),
    /** Iterations (quasi-Newton) or epochs (SAGA). @default 100 */
    maxIter: z.int().min(1).max(1_000_000).default(100),
    /**
     * Stop when the largest gradient entry (pseudo-gradient for L1) is at most `tol` on the scale
     * scikit-learn's lbfgs uses, or, for SAGA, when an epoch changes no coefficient by more than
     * `tol` × the largest one. @default 1e-4
     */
    tol: z.number().min(0).default(1e-4),
    /**
     * `'lbfgs'` (l2, none), `'owlqn'` (orthant-wise L-BFGS: every penalty, deterministic),
     * `'saga'` (every penalty, stochastic: uses `seed`). `'auto'` picks lbfgs for l2/none and
     * owlqn for l1/elasticnet. @default 'auto'
     */
    solver: z.enum(['auto', 'lbfgs', 'owlqn', 'saga']).default('auto'),
    /**
     * `'multinomial'`: one softmax model; `'ovr'`: one binary model per class; `'auto'`: binary
     * targets get one binomial model, more classes the multinomial one. @default 'auto'
     */
    multiClass: z.enum(['auto', 'ovr', 'multinomial']).default('auto'),
    /** `'balanced'` (`n / (k·countₖ)`) or a weight per class label (`String(label)` keys). */
    classWeight: z.union([z.literal('balanced'), z.record(z.string(), z.number())]).optional(),
    /**
     * Threads for the loss evaluations (the calling thread plus workers). Results are identical
     * for every value. Default: 1 for small data, else the machine's cores (at most 8).
     */
    nThreads: z.int().min(1).max(64).optional(),
    /** Seed of the stochastic solver (`saga`). @default 0 */
    seed: z.int().min(0).max(0xffffffff).default(0),
  })
  .superRefine((v, ctx) => {
    if (v.solver === 'lbfgs' && (v.penalty === 'l1' || v.penalty === 'elasticnet')) {
      ctx.addIssue({
        code: 'custom',
        path: ['solver'],
        message: `lbfgs supports only the l2 and none penalties, not ${v.penalty} (use owlqn or saga)`,
      })
    }
    if (v.penalty === 'elasticnet' && v.l1Ratio === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['l1Ratio'],
        message: 'required when penalty is elasticnet',
      })
    }
  })

/** The parameters as given to {@link LogisticRegression}. */
export type LogisticRegressionParams = z.input<typeof LogisticRegressionParamsSchema>
/** The parameters after defaults. */
export type LogisticRegressionResolved = z.output<typeof LogisticRegressionParamsSchema>
