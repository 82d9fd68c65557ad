/**
 * The zod schema of the parts of an XGBoost 1.x JSON model (`Booster.save_model('m.json')`)
 * that prediction needs. XGBoost writes its scalar parameters as strings (`"5E-1"`), its arrays
 * as JSON numbers.
 *
 * @internal
 */
import { z } from 'zod'

/** A number XGBoost wrote as a string (`"5E-1"`, `"3"`). */
const numericString = z
  .string()
  .refine((s) => s.trim() !== '' && Number.isFinite(Number(s)), 'expected a number as a string')
  .transform(Number)

const intString = numericString.refine(Number.isSafeInteger, 'expected an integer')

const ints = z.array(z.int())
const numbers = z.array(z.number())

/** One tree of `learner.gradient_booster.model.trees`. */
export const XGBoostTreeSchema = z.object({
  tree_param: z.object({
    num_nodes: intString,
    num_feature: intString.optional(),
    size_leaf_vector: intString.optional(),
  }),
  left_children: ints,
  right_children: ints,
  split_indices: z.array(z.int().min(0)),
  split_conditions: numbers,
  default_left: z.array(z.union([z.literal(0), z.literal(1), z.boolean()])),
  base_weights: numbers,
  loss_changes: numbers.optional(),
  sum_hessian: numbers.optional(),
  split_type: ints.optional(),
  categories_nodes: ints.optional(),
})
export type XGBoostTree = z.output<typeof XGBoostTreeSchema>

/** Just enough to read the booster's name before checking the rest. */
export const XGBoostEnvelopeSchema = z.object({
  version: z.array(z.int()).optional(),
  learner: z.object({
    gradient_booster: z.object({ name: z.string() }),
    objective: z.object({ name: z.string() }),
  }),
})

/** A gbtree model. */
export const XGBoostGbtreeSchema = z.object({
  version: z.array(z.int()).optional(),
  learner: z.object({
    feature_names: z.array(z.string()).optional(),
    feature_types: z.array(z.string()).optional(),
    learner_model_param: z.object({
      base_score: numericString,
      num_class: intString.refine((k) => k >= 0, 'expected ≥ 0'),
      num_feature: intString.refine((k) => k >= 1, 'expected ≥ 1'),
      num_target: intString.optional(),
    }),
    objective: z.object({ name: z.string() }),
    gradient_booster: z.object({
      name: z.literal('gbtree'),
      model: z.object({
        gbtree_model_param: z.object({
          num_trees: intString,
          num_parallel_tree: intString.optional(),
          size_leaf_vector: intString.optional(),
        }),
        tree_info: z.array(z.int().min(0)),
        trees: z.array(XGBoostTreeSchema),
      }),
    }),
  }),
})
