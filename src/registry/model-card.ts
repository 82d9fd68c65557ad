import { isPlatformError, type RequestContext } from '../core/index.js'
import type { DatasetProfile, DatasetService, DatasetVersion } from '../datasets/index.js'
import type { ModelSignature, ModelVersion, RegisteredModel } from './entities.js'
import type { RegistryRun, RegistryRunSource } from './run-source.js'

/**
 * Tag naming the run to compare against, set on the version or on its run. It wins over the
 * role convention below.
 */
export const BASELINE_RUN_TAG = 'plinth.baseline_run_id'
/**
 * Run tag marking a baseline: the newest other run of the same experiment tagged
 * `plinth.role=baseline` is the baseline of every run in that experiment.
 */
export const ROLE_TAG = 'plinth.role'
/** Free-text limitations, on the registered model or the version (both are shown). */
export const LIMITATIONS_TAG = 'plinth.limitations'

/** Below this many training rows a card warns about the sample size. */
const SMALL_TRAINING_ROWS = 1000
/** A class below this share of the training rows is called out as imbalanced. */
const MINORITY_SHARE = 0.1
/** A column missing more than this share of its values is called out. */
const MISSING_SHARE = 0.05

/** A class and its share of the training rows. */
export interface ClassShare {
  readonly value: string
  readonly count: number
  readonly fraction: number
}

/** One training (or evaluation) dataset on a card. */
export interface CardDataset {
  readonly datasetName: string
  readonly context: string
  readonly digest: string
  readonly datasetVersionId: string | null
  /** The dataset version number, when the Plinth dataset version is known. */
  readonly version: number | null
  readonly rowCount: number | null
  readonly columnCount: number | null
  /** A summary of the profile computed at ingest, when there is one. */
  readonly profile: {
    readonly rowCount: number
    readonly columns: readonly {
      readonly name: string
      readonly semanticType: string
      readonly missingFraction: number
    }[]
    readonly target: { readonly name: string; readonly classBalance: readonly ClassShare[] } | null
  } | null
}

/** One metric compared with the baseline. */
export interface CardMetric {
  readonly key: string
  readonly value: number
  readonly baseline: number | null
  /** `value − baseline`, or null without a baseline value. */
  readonly delta: number | null
}

/** A model card as data; `renderModelCardMarkdown` turns it into a document. */
export interface ModelCard {
  readonly format: 'plinth-model-card'
  readonly formatVersion: 1
  readonly generatedAt: number
  readonly model: {
    readonly name: string
    readonly version: number
    readonly uri: string
    readonly aliases: readonly string[]
    readonly stage: string
    readonly status: string
    readonly kind: string | null
    readonly flavor: string
    readonly source: string
    readonly runId: string | null
    readonly createdAt: number
    readonly createdBy: string
    readonly tags: Readonly<Record<string, string>>
  }
  /** From the registered model's and the version's descriptions. */
  readonly intendedUse: string
  readonly trainingData: readonly CardDataset[]
  readonly metrics: {
    readonly baselineRunId: string | null
    /** How the baseline was chosen, in words; null without one. */
    readonly baselineRule: string | null
    readonly rows: readonly CardMetric[]
  }
  readonly signature: ModelSignature | null
  readonly inputExample: unknown
  readonly limitations: readonly string[]
}

/** Where a card's facts come from besides the model and version themselves. */
export interface ModelCardSources {
  readonly runs: RegistryRunSource
  readonly datasets?: DatasetService
}

async function findBaseline(
  ctx: RequestContext,
  runs: RegistryRunSource,
  v: ModelVersion,
  run: RegistryRun | undefined,
): Promise<{ run: RegistryRun; rule: string } | undefined> {
  const explicit = v.tags[BASELINE_RUN_TAG] ?? run?.tags[BASELINE_RUN_TAG]
  if (explicit !== undefined && explicit !== '') {
    const b = await runs.findRun(ctx, explicit)
    return b === undefined ? undefined : { run: b, rule: `tag ${BASELINE_RUN_TAG}=${explicit}` }
  }
  if (run === undefined || run.tags[ROLE_TAG] === 'baseline') return undefined
  const siblings = await runs.findRunsByTag(ctx, run.experimentId, ROLE_TAG, 'baseline')
  const b = siblings.find((s) => s.id !== run.id)
  return b === undefined
    ? undefined
    : { run: b, rule: `newest run of experiment ${run.experimentId} tagged ${ROLE_TAG}=baseline` }
}

function classBalance(
  profile: DatasetProfile,
  signature: ModelSignature | null,
): { name: string; classBalance: ClassShare[] } | null {
  // The profile's target if ingest named one; else the one dataset column the model does not
  // take as input, when there is exactly one.
  let target = profile.target?.name
  if (target === undefined && signature !== null) {
    const inputs = new Set(signature.inputs.map((c) => c.name))
    const rest = profile.columns.filter((c) => !inputs.has(c.name))
    if (rest.length === 1) target = rest[0]?.name
  }
  const column = profile.columns.find((c) => c.name === target)
  if (target === undefined || column === undefined) return null
  const semantic = column.semanticType
  if (column.topK === undefined || !(semantic === 'categorical' || semantic === 'boolean')) {
    return { name: target, classBalance: [] }
  }
  const total = column.count
  return {
    name: target,
    classBalance: column.topK.map((t) => ({
      value: t.value,
      count: t.count,
      fraction: total > 0 ? t.count / total : 0,
    })),
  }
}

async function describeDataset(
  ctx: RequestContext,
  datasets: DatasetService | undefined,
  d: ModelVersion['datasets'][number],
  signature: ModelSignature | null,
): Promise<CardDataset> {
  const empty: CardDataset = {
    datasetName: d.datasetName,
    context: d.context,
    digest: d.digest,
    datasetVersionId: d.datasetVersionId,
    version: null,
    rowCount: null,
    columnCount: null,
    profile: null,
  }
  if (datasets === undefined || d.datasetVersionId === null) return empty
  const name = d.datasetName.split('@')[0] ?? d.datasetName
  let version: DatasetVersion
  try {
    version = await datasets.getVersion(ctx, `${name}@${d.datasetVersionId}`)
  } catch (err) {
    if (isPlatformError(err) && (err.code === 'NOT_FOUND' || err.code === 'INVALID_ARGUMENT')) {
      return empty
    }
    throw err
  }
  let profile: DatasetProfile | undefined
  try {
    profile = await datasets.getProfile(ctx, `${version.datasetName}@${version.id}`)
  } catch (err) {
    if (!isPlatformError(err) || err.code !== 'NOT_FOUND') throw err
  }
  return {
    ...empty,
    datasetName: version.datasetName,
    version: version.version,
    rowCount: version.rowCount,
    columnCount: version.columns.length,
    profile:
      profile === undefined
        ? null
        : {
            rowCount: profile.rowCount,
            columns: profile.columns.map((c) => ({
              name: c.name,
              semanticType: c.semanticType,
              missingFraction: profile.rowCount > 0 ? c.missing / profile.rowCount : 0,
            })),
            target: classBalance(profile, signature),
          },
  }
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`
}

function limitationsOf(
  model: RegisteredModel,
  v: ModelVersion,
  training: readonly CardDataset[],
  hasBaseline: boolean,
  isBaseline: boolean,
): string[] {
  const out: string[] = []
  for (const text of [model.tags[LIMITATIONS_TAG], v.tags[LIMITATIONS_TAG]]) {
    if (text !== undefined && text.trim() !== '') out.push(text.trim())
  }
  if (v.flavor === 'external') {
    out.push(
      `Registered from an external source (${v.source}); Plinth can neither load nor check it.`,
    )
  }
  if (v.signature === null) out.push('No input schema was recorded, so inputs are not checked.')
  const fits = training.filter((d) => d.context === 'training')
  if (v.datasets.length === 0) out.push('No training dataset was recorded with the run.')
  for (const d of fits.length > 0 ? fits : training) {
    const rows = d.profile?.rowCount ?? d.rowCount
    if (rows !== null && rows < SMALL_TRAINING_ROWS) {
      out.push(`Trained on only ${String(rows)} rows of ${d.datasetName}; estimates are uncertain.`)
    }
    const minority = d.profile?.target?.classBalance
      .filter((c) => c.fraction < MINORITY_SHARE)
      .map((c) => `'${c.value}' ${percent(c.fraction)}`)
    if (minority !== undefined && minority.length > 0 && d.profile?.target !== null) {
      out.push(
        `Class imbalance in ${d.profile?.target?.name ?? 'the target'}: ${minority.join(', ')} of rows.`,
      )
    }
    const missing = (d.profile?.columns ?? [])
      .filter((c) => c.missingFraction > MISSING_SHARE)
      .map((c) => `${c.name} (${percent(c.missingFraction)})`)
    if (missing.length > 0) {
      out.push(`Columns of ${d.datasetName} with missing values: ${missing.join(', ')}.`)
    }
  }
  if (!hasBaseline && !isBaseline) {
    out.push(
      `No baseline to compare against: tag a run of the experiment ${ROLE_TAG}=baseline, or ` +
        `set ${BASELINE_RUN_TAG} on the version or its run.`,
    )
  }
  return out
}

/**
 * Builds a model card from what the registry knows: intended use from the descriptions, the
 * training data with a profile summary (datasets domain), metrics against the baseline run,
 * the signature and the limitations that follow from the data.
 *
 * ## Baseline convention
 * 1. A tag `plinth.baseline_run_id=<run id>` on the version, else on its run, names the baseline.
 * 2. Otherwise the newest other run of the same experiment tagged `plinth.role=baseline`.
 * 3. A run tagged `plinth.role=baseline` itself has no baseline.
 * Metrics are compared key by key, for keys both runs logged (latest values).
 */
export async function buildModelCard(
  ctx: RequestContext,
  sources: ModelCardSources,
  model: RegisteredModel,
  v: ModelVersion,
  now: number,
): Promise<ModelCard> {
  const run = v.runId === null ? undefined : await sources.runs.findRun(ctx, v.runId)
  const baseline = await findBaseline(ctx, sources.runs, v, run)
  const training = await Promise.all(
    v.datasets.map((d) => describeDataset(ctx, sources.datasets, d, v.signature)),
  )
  const metrics = Object.keys(v.metrics).length > 0 ? v.metrics : (run?.metrics ?? {})
  const rows: CardMetric[] = Object.keys(metrics)
    .sort()
    .flatMap((key) => {
      const value = metrics[key]
      if (value === undefined || !Number.isFinite(value)) return []
      const b = baseline?.run.metrics[key]
      const base = b !== undefined && Number.isFinite(b) ? b : null
      return [{ key, value, baseline: base, delta: base === null ? null : value - base }]
    })
  const uses = [model.description, v.description].filter((t) => t.trim() !== '')
  return {
    format: 'plinth-model-card',
    formatVersion: 1,
    generatedAt: now,
    model: {
      name: v.name,
      version: v.version,
      uri: `models:/${v.name}/${String(v.version)}`,
      aliases: v.aliases,
      stage: v.stage,
      status: v.status,
      kind: v.modelKind,
      flavor: v.flavor,
      source: v.source,
      runId: v.runId,
      createdAt: v.createdAt,
      createdBy: v.createdBy,
      tags: v.tags,
    },
    intendedUse: uses.length > 0 ? uses.join('\n\n') : 'Not documented.',
    trainingData: training,
    metrics: {
      baselineRunId: baseline?.run.id ?? null,
      baselineRule: baseline?.rule ?? null,
      rows,
    },
    signature: v.signature,
    inputExample: v.inputExample,
    limitations: limitationsOf(
      model,
      v,
      training,
      baseline !== undefined,
      run?.tags[ROLE_TAG] === 'baseline',
    ),
  }
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}

function num(x: number | null): string {
  if (x === null) return '–'
  return Number.isInteger(x) ? String(x) : x.toPrecision(4)
}

/** Renders a model card as a Markdown document. */
export function renderModelCardMarkdown(card: ModelCard): string {
  const m = card.model
  const lines: string[] = [
    `# Model card: ${m.name} v${String(m.version)}`,
    '',
    `- URI: \`${m.uri}\`${m.aliases.length > 0 ? ` (aliases: ${m.aliases.map((a) => `@${a}`).join(', ')})` : ''}`,
    `- Kind: ${m.kind ?? 'external model'} · status ${m.status} · stage ${m.stage}`,
    `- Run: ${m.runId ?? 'none'} · source \`${m.source}\``,
    `- Registered ${new Date(m.createdAt).toISOString()} by ${m.createdBy}`,
    '',
    '## Intended use',
    '',
    card.intendedUse,
    '',
    '## Training data',
    '',
  ]
  if (card.trainingData.length === 0) lines.push('None recorded.', '')
  for (const d of card.trainingData) {
    const version = d.version === null ? '' : ` v${String(d.version)}`
    const size =
      d.rowCount === null
        ? ''
        : ` — ${String(d.rowCount)} rows × ${String(d.columnCount ?? 0)} columns`
    lines.push(`- **${d.datasetName}${version}** (${d.context})${size}, digest \`${d.digest}\``)
    const t = d.profile?.target
    if (t !== null && t !== undefined && t.classBalance.length > 0) {
      lines.push(
        `  - Target \`${t.name}\`: ${t.classBalance.map((c) => `${c.value} ${percent(c.fraction)}`).join(', ')}`,
      )
    }
    const missing = (d.profile?.columns ?? []).filter((c) => c.missingFraction > 0)
    if (missing.length > 0) {
      lines.push(
        `  - Missing values: ${missing.map((c) => `${c.name} ${percent(c.missingFraction)}`).join(', ')}`,
      )
    }
  }
  if (card.trainingData.length > 0) lines.push('')
  lines.push('## Metrics', '')
  if (card.metrics.rows.length === 0) {
    lines.push('None recorded.', '')
  } else {
    lines.push(
      card.metrics.baselineRunId === null
        ? 'No baseline run.'
        : `Baseline: run ${card.metrics.baselineRunId} (${card.metrics.baselineRule ?? ''}).`,
      '',
      '| Metric | Value | Baseline | Δ |',
      '|---|---:|---:|---:|',
      ...card.metrics.rows.map(
        (r) => `| ${cell(r.key)} | ${num(r.value)} | ${num(r.baseline)} | ${num(r.delta)} |`,
      ),
      '',
    )
  }
  lines.push('## Signature', '')
  if (card.signature === null) {
    lines.push('Not recorded.', '')
  } else {
    lines.push(
      '| Input | Type |',
      '|---|---|',
      ...card.signature.inputs.map((c) => `| ${cell(c.name)} | ${cell(c.type)} |`),
      '',
      `Outputs: ${card.signature.outputs.map((c) => `${c.name} (${c.type})`).join(', ') || 'none'}`,
      '',
    )
  }
  lines.push('## Limitations', '')
  lines.push(
    ...(card.limitations.length === 0
      ? ['None identified.']
      : card.limitations.map((l) => `- ${l}`)),
  )
  lines.push('')
  return lines.join('\n')
}
