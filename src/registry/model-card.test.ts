import { describe, expect, it } from 'vitest'

import { NotFoundError, createContext, type ActorId, type WorkspaceId } from '../core/index.js'
import type { DatasetProfile, DatasetService, DatasetVersion } from '../datasets/index.js'
import type { ModelVersion, RegisteredModel } from './entities.js'
import { buildModelCard, renderModelCardMarkdown } from './model-card.js'
import { modelPathOf } from './registration.js'
import { NO_RUNS, type RegistryRun, type RegistryRunSource } from './run-source.js'

const ctx = createContext()
const ws = 'default' as WorkspaceId
const actor = 'local' as ActorId
const DSV = 'f'.repeat(32)

const model: RegisteredModel = {
  id: 'm',
  workspace: ws,
  name: 'fraud',
  description: 'Ranks card payments for manual review.',
  tags: {},
  aliases: [],
  latestVersions: [],
  createdAt: 0,
  createdBy: actor,
  updatedAt: 0,
  updatedBy: actor,
}

const version: ModelVersion = {
  id: 'v',
  workspace: ws,
  modelId: 'm',
  name: 'fraud',
  version: 2,
  source: 'runs:/r1/model',
  runId: 'r1',
  runLink: '',
  status: 'READY',
  statusMessage: '',
  stage: 'None',
  description: '',
  tags: { 'plinth.limitations': 'Card-present payments only.' },
  aliases: ['champion'],
  flavor: 'plinth',
  modelKind: 'tree.gbdt-classifier',
  modelPath: 'model',
  signature: {
    inputs: [
      { name: 'amount', type: 'double' },
      { name: 'hour', type: 'long' },
    ],
    outputs: [{ name: 'prediction', type: 'string' }],
  },
  inputExample: [{ amount: 12.5, hour: 3 }],
  metrics: { auc: 0.91, 'f1|macro': 0.5 },
  datasets: [
    { datasetName: 'payments', digest: 'sha256:ab', context: 'training', datasetVersionId: DSV },
  ],
  createdAt: Date.UTC(2026, 0, 2),
  createdBy: actor,
  updatedAt: 0,
  updatedBy: actor,
}

const profile: DatasetProfile = {
  rowCount: 400,
  columns: [
    {
      name: 'amount',
      storageType: 'DOUBLE',
      semanticType: 'numeric',
      count: 360,
      missing: 40,
      distinct: 300,
      distinctApprox: false,
    },
    {
      name: 'hour',
      storageType: 'BIGINT',
      semanticType: 'numeric',
      count: 400,
      missing: 0,
      distinct: 24,
      distinctApprox: false,
    },
    {
      name: 'label',
      storageType: 'VARCHAR',
      semanticType: 'categorical',
      count: 400,
      missing: 0,
      distinct: 2,
      distinctApprox: false,
      topK: [
        { value: 'ok', count: 388 },
        { value: 'fraud', count: 12 },
      ],
    },
  ],
  computedWith: { exactDistinctRows: 1_000_000, histogramBins: 20, quantileRows: 400 },
}

const datasets = {
  getVersion: (_ctx: unknown, ref: string): Promise<DatasetVersion> => {
    if (ref !== `payments@${DSV}`) return Promise.reject(new NotFoundError(`no ${ref}`))
    return Promise.resolve({
      id: DSV,
      datasetId: 'd',
      datasetName: 'payments',
      workspace: ws,
      version: 4,
      digest: 'sha256:ab',
      sizeBytes: 1,
      rowCount: 400,
      columns: [
        { name: 'amount', type: 'DOUBLE' },
        { name: 'hour', type: 'BIGINT' },
        { name: 'label', type: 'VARCHAR' },
      ],
      sourceUri: 'file:payments.csv',
      sourceFormat: 'csv',
      parentVersionId: null,
      lineage: {},
      createdAt: 0,
      createdBy: actor,
    })
  },
  getProfile: (): Promise<DatasetProfile> => Promise.resolve(profile),
} as unknown as DatasetService

function runs(list: RegistryRun[]): RegistryRunSource {
  return {
    ...NO_RUNS,
    findRun: (_c, id) => Promise.resolve(list.find((r) => r.id === id)),
    findRunsByTag: (_c, exp, key, value) =>
      Promise.resolve(list.filter((r) => r.experimentId === exp && r.tags[key] === value)),
  }
}

function run(id: string, init: Partial<RegistryRun>): RegistryRun {
  return {
    id,
    experimentId: '7',
    name: id,
    status: 'FINISHED',
    startTime: 0,
    endTime: 1,
    artifactUri: `mlflow-artifacts:/7/${id}/artifacts`,
    metrics: {},
    tags: {},
    inputs: [],
    ...init,
  }
}

describe('buildModelCard', () => {
  it('summarises data, class balance, baseline metrics and the limitations they imply', async () => {
    const card = await buildModelCard(
      ctx,
      {
        runs: runs([
          run('r1', { metrics: { auc: 0.91 } }),
          run('r0', {
            tags: { 'plinth.role': 'baseline' },
            metrics: { auc: 0.5, 'f1|macro': 0.25 },
          }),
        ]),
        datasets,
      },
      model,
      version,
      Date.UTC(2026, 0, 3),
    )
    expect(card.trainingData).toEqual([
      {
        datasetName: 'payments',
        context: 'training',
        digest: 'sha256:ab',
        datasetVersionId: DSV,
        version: 4,
        rowCount: 400,
        columnCount: 3,
        profile: {
          rowCount: 400,
          columns: [
            { name: 'amount', semanticType: 'numeric', missingFraction: 0.1 },
            { name: 'hour', semanticType: 'numeric', missingFraction: 0 },
            { name: 'label', semanticType: 'categorical', missingFraction: 0 },
          ],
          // No target was named at ingest: the one column the model does not take is it.
          target: {
            name: 'label',
            classBalance: [
              { value: 'ok', count: 388, fraction: 0.97 },
              { value: 'fraud', count: 12, fraction: 0.03 },
            ],
          },
        },
      },
    ])
    expect(card.metrics).toEqual({
      baselineRunId: 'r0',
      baselineRule: 'newest run of experiment 7 tagged plinth.role=baseline',
      rows: [
        { key: 'auc', value: 0.91, baseline: 0.5, delta: 0.41000000000000003 },
        { key: 'f1|macro', value: 0.5, baseline: 0.25, delta: 0.25 },
      ],
    })
    expect(card.limitations).toEqual([
      'Card-present payments only.',
      'Trained on only 400 rows of payments; estimates are uncertain.',
      "Class imbalance in label: 'fraud' 3.0% of rows.",
      'Columns of payments with missing values: amount (10.0%).',
    ])
    expect(renderModelCardMarkdown(card)).toMatchInlineSnapshot(`
      "# Model card: fraud v2

      - URI: \`models:/fraud/2\` (aliases: @champion)
      - Kind: tree.gbdt-classifier · status READY · stage None
      - Run: r1 · source \`runs:/r1/model\`
      - Registered 2026-01-02T00:00:00.000Z by local

      ## Intended use

      Ranks card payments for manual review.

      ## Training data

      - **payments v4** (training) — 400 rows × 3 columns, digest \`sha256:ab\`
        - Target \`label\`: ok 97.0%, fraud 3.0%
        - Missing values: amount 10.0%

      ## Metrics

      Baseline: run r0 (newest run of experiment 7 tagged plinth.role=baseline).

      | Metric | Value | Baseline | Δ |
      |---|---:|---:|---:|
      | auc | 0.9100 | 0.5000 | 0.4100 |
      | f1\\|macro | 0.5000 | 0.2500 | 0.2500 |

      ## Signature

      | Input | Type |
      |---|---|
      | amount | double |
      | hour | long |

      Outputs: prediction (string)

      ## Limitations

      - Card-present payments only.
      - Trained on only 400 rows of payments; estimates are uncertain.
      - Class imbalance in label: 'fraud' 3.0% of rows.
      - Columns of payments with missing values: amount (10.0%).
      "
    `)
  })

  it('gives a baseline run no baseline, and copes without datasets or runs', async () => {
    const card = await buildModelCard(
      ctx,
      { runs: runs([run('r1', { tags: { 'plinth.role': 'baseline' } })]) },
      model,
      version,
      0,
    )
    expect(card.metrics.baselineRunId).toBeNull()
    expect(card.trainingData[0]?.profile).toBeNull()
    expect(card.limitations).toEqual(['Card-present payments only.'])
    const bare = await buildModelCard(ctx, { runs: NO_RUNS }, model, { ...version, tags: {} }, 0)
    expect(bare.limitations.at(-1)).toMatch(/^No baseline to compare against/)
  })
})

describe('modelPathOf', () => {
  const r = run('abc', {})
  it('finds the run-relative folder of a source', () => {
    expect(modelPathOf('runs:/abc/model', { runId: 'abc', path: 'model' }, r)).toBe('model')
    expect(modelPathOf('mlflow-artifacts:/7/abc/artifacts/model', undefined, r)).toBe('model')
    expect(modelPathOf('mlflow-artifacts:/7/abc/artifacts/a/b/', undefined, r)).toBe('a/b')
    expect(modelPathOf('mlflow-artifacts:/7/abc/artifacts', undefined, r)).toBe('')
  })

  it('refuses sources outside the run or with traversal', () => {
    expect(modelPathOf('s3://bucket/model', undefined, r)).toBeNull()
    expect(modelPathOf('mlflow-artifacts:/7/abc/artifactsX/model', undefined, r)).toBeNull()
    expect(modelPathOf('mlflow-artifacts:/7/abc/artifacts/../x', undefined, r)).toBeNull()
    expect(modelPathOf('mlflow-artifacts:/7/abc/artifacts/%2e%2e/x', undefined, r)).toBeNull()
    expect(modelPathOf('mlflow-artifacts:/7/abc/artifacts/model', undefined, undefined)).toBeNull()
  })
})
