import { fileURLToPath } from 'node:url'

import { NotFoundError, createContext, type RequestContext } from '../../core/index.js'
import { parseSource } from '../../datasets/index.js'
import type { Column, Frame } from '../../frame/index.js'
import {
  DummyClassifier,
  GBDTClassifier,
  LogisticRegression,
  StandardScaler,
  accuracyScore,
  logLoss,
  makePipeline,
  rocAucScore,
  type Classifier,
  type Estimator,
} from '../../ml/index.js'
import {
  createEmbeddedBackend,
  createTrackingClient,
  trackedFit,
  type Run,
  type TrackingService,
} from '../../tracking/index.js'
import { println, renderTable, type Output } from '../output.js'
import type { CliPlatform } from '../runtime.js'

/** The dataset the quickstart ingests: shipped in the package, so `npm start` needs nothing else. */
const QUICKSTART_DATASET = fileURLToPath(
  new URL('../../../examples/datasets/aer_hmda.csv', import.meta.url),
)

const DATASET = 'hmda'
const TARGET = 'deny'
const EXPERIMENT = 'hmda-deny'
const MODEL = 'hmda-deny'
const SEED = 42
/** Marks the quickstart's runs with the training data's digest, so a second start reuses them. */
const QUICKSTART_TAG = 'plinth.quickstart.train_digest'
/** The metric that picks the champion (higher is better). */
const SELECT_BY = 'test_roc_auc'

interface Candidate {
  readonly role: string
  readonly describe: string
  readonly estimator: () => Estimator
}

/** The three models the quickstart compares: a baseline, a linear model and boosted trees. */
const CANDIDATES: readonly Candidate[] = [
  {
    role: 'baseline',
    describe: 'class prior (always the base rate)',
    estimator: () => new DummyClassifier({ strategy: 'prior' }),
  },
  {
    role: 'logistic',
    describe: 'standardized logistic regression',
    estimator: () => makePipeline([new StandardScaler(), new LogisticRegression({ maxIter: 500 })]),
  },
  {
    role: 'gbdt',
    describe: 'gradient-boosted trees, 200 rounds of depth 3',
    estimator: () =>
      new GBDTClassifier({ nEstimators: 200, learningRate: 0.05, maxDepth: 3, seed: SEED }),
  },
]

/** What one quickstart run reports (`--json` and the summary). */
export interface QuickstartSummary {
  readonly dataset: string
  readonly rows: number
  readonly created: boolean
  readonly anomalies: number
  readonly train: string
  readonly test: string
  readonly experiment: string
  readonly trained: boolean
  readonly runs: readonly {
    role: string
    runId: string
    metrics: Record<string, number | null>
  }[]
  readonly champion: { model: string; version: number; runId: string; role: string; uri: string }
}

function testMetrics(model: Classifier, X: Frame, y: Column): Record<string, number> {
  const proba = model.predictProba(X)
  return {
    test_roc_auc: rocAucScore(y, proba),
    test_log_loss: logLoss(y, proba),
    test_accuracy: accuracyScore(y, model.predict(X)),
  }
}

function metricOf(run: Run, key: string): number | null {
  const m = run.data.metrics.find((x) => x.key === key)
  return m === undefined ? null : m.value
}

/** The finished quickstart runs of this training data, by role (empty when there are none). */
async function existingRuns(
  tracking: TrackingService,
  ctx: RequestContext,
  digest: string,
): Promise<Map<string, Run>> {
  const experiment = await tracking.findExperimentByName(ctx, EXPERIMENT)
  if (experiment === undefined) return new Map()
  const page = await tracking.searchRuns(ctx, {
    experimentIds: [experiment.experimentId],
    filter: `tags.\`${QUICKSTART_TAG}\` = '${digest}' AND attributes.status = 'FINISHED'`,
    orderBy: ['attributes.start_time DESC'],
    maxResults: 100,
  })
  const byRole = new Map<string, Run>()
  for (const run of page.items) {
    const role = run.data.tags.find((t) => t.key === 'plinth.quickstart.role')?.value
    if (role !== undefined && !byRole.has(role)) byRole.set(role, run)
  }
  return CANDIDATES.every((c) => byRole.has(c.role)) ? byRole : new Map()
}

/**
 * The quickstart, end to end on a real dataset shipped in the package: ingest and profile,
 * infer a schema and validate against it, split (stratified, seeded), train a baseline, a
 * logistic model and boosted trees with tracking, compare them on the test split, register the
 * best as `@champion` with its model card. Safe to run again: identical data is the same
 * version, and runs already made for that data are reused rather than trained twice.
 */
export async function runQuickstart(
  platform: CliPlatform,
  output: Output,
): Promise<QuickstartSummary> {
  const ctx = createContext()
  const { datasets, datasetValidation, tracking, registry } = platform.services
  const say = (line = ''): void => {
    if (!output.json) println(output, line)
  }

  // 1. Data: ingest and profile.
  const started = performance.now()
  const ingested = await datasets.ingestDataset(
    ctx,
    parseSource(QUICKSTART_DATASET, { cwd: process.cwd() }),
    {
      name: DATASET,
      target: TARGET,
      description: 'Boston HMDA mortgage applications (Munnell et al. 1996): was the loan denied?',
    },
  )
  const v = ingested.version
  const ref = `${DATASET}@${String(v.version)}`
  const profile = await datasets.getProfile(ctx, ref)
  const top = [...(profile.target?.associations ?? [])]
    .sort((a, b) => Math.abs(b.value ?? 0) - Math.abs(a.value ?? 0))
    .slice(0, 3)
  const what = ingested.created
    ? `ingested and profiled in ${String(Math.round(performance.now() - started))} ms`
    : 'already ingested'
  say(
    `Data      ${ref}: ${v.rowCount.toLocaleString('en-US')} rows × ${String(v.columns.length)} columns, ${what}`,
  )
  const links = top.map(
    (a) => `${a.column} (${a.measure.replace('_', ' ')} ${(a.value ?? 0).toFixed(2)})`,
  )
  say(`          strongest links to '${TARGET}': ${links.join(', ')}`)

  // 2. Schema and validation.
  const saved = await datasetValidation.findSchema(ctx, DATASET)
  if (saved === undefined) await datasetValidation.inferAndSaveSchema(ctx, DATASET, ref)
  const report = await datasetValidation.validate(ctx, { dataset: DATASET, against: { ref } })
  say(
    `Schema    ${saved === undefined ? 'inferred and saved' : 'saved schema'}; ${ref} validates with ${String(report.anomalies.length)} anomalies`,
  )

  // 3. Split, stratified on the target and seeded.
  const split = await datasets.splitVersion(ctx, ref, {
    kind: 'stratified',
    column: TARGET,
    fractions: { train: 0.8, test: 0.2 },
    seed: SEED,
  })
  const part = (name: string): { ref: string; rows: number; digest: string } => {
    const p = split.partitions.find((x) => x.name === `${DATASET}.${name}`)
    if (p === undefined) throw new NotFoundError(`the split made no ${name} partition`)
    return {
      ref: `${p.name}@${String(p.version.version)}`,
      rows: p.version.rowCount,
      digest: p.version.digest,
    }
  }
  const train = part('train')
  const test = part('test')
  say(
    `Split     ${train.ref} (${String(train.rows)} rows), ${test.ref} (${String(test.rows)} rows)`,
  )

  // 4. Train with tracking, or reuse the runs made for this very training data.
  let runs = await existingRuns(tracking, ctx, train.digest)
  const trained = runs.size === 0
  if (trained) {
    const trainFrame = await datasets.readFrame(ctx, train.ref)
    const testFrame = await datasets.readFrame(ctx, test.ref)
    const X = trainFrame.drop([TARGET])
    const y = trainFrame.column(TARGET)
    const Xt = testFrame.drop([TARGET])
    const yt = testFrame.column(TARGET)
    const client = createTrackingClient(createEmbeddedBackend(tracking, ctx), {
      plinthVersion: platform.version,
      flushOnExit: false,
    })
    try {
      let baselineRunId: string | undefined
      for (const c of CANDIDATES) {
        const run = await client.startRun({
          experiment: EXPERIMENT,
          runName: c.role,
          seed: SEED,
          tags: {
            [QUICKSTART_TAG]: train.digest,
            'plinth.quickstart.role': c.role,
            'mlflow.note.content': c.describe,
            ...(c.role === 'baseline' ? { 'plinth.role': 'baseline' } : {}),
            ...(baselineRunId === undefined ? {} : { 'plinth.baseline_run_id': baselineRunId }),
          },
        })
        try {
          const model = (await trackedFit(run, c.estimator(), X, y, {
            validation: { X: Xt, y: yt },
            datasets: { training: train.ref, test: test.ref },
            logModel: { inputExample: Xt.head(5) },
          })) as unknown as Classifier
          run.logMetrics(testMetrics(model, Xt, yt))
          await run.end('FINISHED')
        } catch (err) {
          await run.end('FAILED')
          throw err
        }
        if (c.role === 'baseline') baselineRunId = run.runId
      }
    } finally {
      await client.close()
    }
    runs = await existingRuns(tracking, ctx, train.digest)
  }

  // 5. Compare on the test split.
  const rows = CANDIDATES.map((c) => {
    const run = runs.get(c.role)
    if (run === undefined) throw new NotFoundError(`the quickstart's ${c.role} run is missing`)
    return {
      role: c.role,
      runId: run.info.runId,
      metrics: {
        test_roc_auc: metricOf(run, 'test_roc_auc'),
        test_log_loss: metricOf(run, 'test_log_loss'),
        test_accuracy: metricOf(run, 'test_accuracy'),
      },
    }
  })
  const base = rows.find((r) => r.role === 'baseline')
  const best = rows
    .filter((r) => r.role !== 'baseline')
    .reduce((a, b) => ((b.metrics[SELECT_BY] ?? -1) > (a.metrics[SELECT_BY] ?? -1) ? b : a))
  const fmt = (x: number | null): string => (x === null ? '—' : x.toFixed(4))
  const delta = (x: number | null, b: number | null | undefined): string =>
    x === null || b === null || b === undefined
      ? ''
      : ` (${x - b >= 0 ? '+' : ''}${(x - b).toFixed(3)})`
  say()
  say(
    `Runs      experiment '${EXPERIMENT}'${trained ? '' : ' (trained earlier on the same data; reused)'}`,
  )
  say(
    renderTable(
      [
        { header: 'model', value: (r: (typeof rows)[number]) => r.role },
        {
          header: 'test ROC AUC',
          value: (r) =>
            fmt(r.metrics.test_roc_auc) + delta(r.metrics.test_roc_auc, base?.metrics.test_roc_auc),
        },
        {
          header: 'log loss',
          value: (r) =>
            fmt(r.metrics.test_log_loss) +
            delta(r.metrics.test_log_loss, base?.metrics.test_log_loss),
        },
        { header: 'accuracy', value: (r) => fmt(r.metrics.test_accuracy) },
        { header: 'run', value: (r) => r.runId },
      ],
      rows,
    )
      .split('\n')
      .map((l) => `          ${l}`)
      .join('\n'),
  )

  // 6. Register the best as @champion (a version per run, made once).
  if ((await registry.findRegisteredModel(ctx, MODEL)) === undefined) {
    await registry.createRegisteredModel(ctx, {
      name: MODEL,
      description:
        'Predicts whether a Boston mortgage application is denied (HMDA 1990). Trained by the ' +
        'Plinth quickstart; for learning and demonstration, not for lending decisions.',
    })
  }
  const found = await registry.searchModelVersions(ctx, {
    filter: `name = '${MODEL}' AND run_id = '${best.runId}'`,
    maxResults: 10,
  })
  const version =
    found.items[0] ??
    (await registry.createModelVersion(ctx, {
      name: MODEL,
      source: `runs:/${best.runId}/model`,
      runId: best.runId,
      description: `${best.role}: the quickstart's best model by ${SELECT_BY}`,
    }))
  await registry.setRegisteredModelAlias(ctx, MODEL, 'champion', version.version)
  const uri = `models:/${MODEL}@champion`
  say()
  say(
    `Champion  ${uri} → version ${String(version.version)} (${best.role}, ${SELECT_BY} ${fmt(best.metrics[SELECT_BY] ?? null)})`,
  )
  say(`          model card: npx plinth models card ${MODEL}@champion`)
  say(`          runs:       npx plinth runs search --experiment ${EXPERIMENT}`)
  say()
  return {
    dataset: ref,
    rows: v.rowCount,
    created: ingested.created,
    anomalies: report.anomalies.length,
    train: train.ref,
    test: test.ref,
    experiment: EXPERIMENT,
    trained,
    runs: rows,
    champion: {
      model: MODEL,
      version: version.version,
      runId: best.runId,
      role: best.role,
      uri,
    },
  }
}
