/**
 * @module ml/compose
 * Composite estimators: {@link Pipeline} (transformers chained into a final estimator) and
 * {@link ColumnTransformer} (transformers on column subsets, outputs side by side), with
 * sklearn-style nested parameter names (`clf__C`) so search can tune any child. Pipeline steps
 * may be samplers (ml/imbalance), applied to the training rows at fit only.
 */
import type { EstimatorEntry } from '../base/index.js'

import {
  COLUMN_TRANSFORMER_KIND,
  ColumnTransformer,
  loadColumnTransformer,
  type ColumnTransformerParams,
} from './column-transformer.js'
import { PIPELINE_KIND, Pipeline, loadPipeline, type PipelineParams } from './pipeline.js'

export {
  COLUMN_TRANSFORMER_KIND,
  ColumnTransformer,
  ColumnTransformerModel,
  ColumnTransformerParamsSchema,
  loadColumnTransformer,
} from './column-transformer.js'
export type {
  ColumnSelector,
  ColumnTransformerEntry,
  ColumnTransformerParams,
} from './column-transformer.js'
export {
  PIPELINE_KIND,
  Pipeline,
  PipelineModel,
  PipelineParamsSchema,
  loadPipeline,
} from './pipeline.js'
export { makeColumnSelector, makeColumnTransformer, makePipeline } from './make.js'
export type { MakeColumnTransformerOptions, MakePipelineOptions } from './make.js'
export type { FittedStep, PipelineParams, PipelineStep } from './pipeline.js'
export type { ChildEstimator, Resolve } from './children.js'

/**
 * The composite kinds (pipeline, column transformer). They hold other estimators, so they
 * resolve kinds through `resolve` (the registry) instead of importing it. Their task is
 * `'transform'` in listings; a fitted pipeline predicts when its last step does.
 */
export function composeEstimators(
  resolve: (kind: string) => EstimatorEntry,
): readonly EstimatorEntry[] {
  return [
    {
      kind: PIPELINE_KIND,
      task: 'transform',
      summary: 'Pipeline: transformers chained into a final estimator, fitted and saved as one',
      // The params are validated at fit, like every estimator's.
      create: (p = {}) => new Pipeline(p as PipelineParams, resolve),
      load: (s) => loadPipeline(s, resolve),
    },
    {
      kind: COLUMN_TRANSFORMER_KIND,
      task: 'transform',
      summary: 'Column transformer: transformers on column subsets, outputs side by side',
      create: (p = {}) => new ColumnTransformer(p as ColumnTransformerParams, resolve),
      load: (s) => loadColumnTransformer(s, resolve),
    },
  ]
}
