import { isPlatformError, type RequestContext } from '../core/index.js'
import { findEstimatorEntry } from '../ml/index.js'
import type { DatasetLineage, ModelVersionStatus } from './entities.js'
import { PLINTH_MODEL_FILE, parsePlinthModelFile } from './model-file.js'
import type { RunsUri } from './names.js'
import type { RegistryRun, RegistryRunSource } from './run-source.js'

/** What a registration learned about a version: its final status and copied metadata. */
export interface RegistrationOutcome {
  readonly patch: {
    readonly status: ModelVersionStatus
    readonly status_message: string
    readonly flavor: 'plinth' | 'external'
    readonly model_kind: string | null
    readonly model_path: string | null
    readonly signature_json: string | null
    readonly input_example_json: string | null
    readonly metrics_json: string
  }
  readonly datasets: readonly DatasetLineage[]
}

/**
 * The run-relative folder a source points at: the path of a `runs:/` URI, or the rest of an
 * artifact URI under the run's artifact root (what MLflow clients send); `null` when the source
 * lies outside the run.
 */
export function modelPathOf(
  source: string,
  runsUri: RunsUri | undefined,
  run: RegistryRun | undefined,
): string | null {
  if (runsUri !== undefined) return runsUri.path
  if (run === undefined) return null
  const root = run.artifactUri.replace(/\/+$/, '')
  if (source === root) return ''
  if (!source.startsWith(`${root}/`)) return null
  const path = source.slice(root.length + 1).replace(/\/+$/, '')
  const segments = path.split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /[\\%?#]/.test(s))) return null
  return path
}

function finiteMetrics(metrics: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const key of Object.keys(metrics).sort()) {
    const value = metrics[key]
    // JSON has no NaN or ±Infinity; a model card shows what can be compared.
    if (value !== undefined && Number.isFinite(value)) out[key] = value
  }
  return out
}

/**
 * Reads what the run knows about the registered model: the Plinth model description when the
 * source holds one, the run's metrics and dataset inputs. Never throws: problems become a
 * `FAILED_REGISTRATION` status with a message.
 */
export async function resolveRegistration(
  ctx: RequestContext,
  runs: RegistryRunSource,
  source: string,
  runsUri: RunsUri | undefined,
  run: RegistryRun | undefined,
): Promise<RegistrationOutcome> {
  const base = {
    status: 'READY' as ModelVersionStatus,
    status_message: '',
    flavor: 'external' as 'plinth' | 'external',
    model_kind: null,
    model_path: null,
    signature_json: null,
    input_example_json: null,
    metrics_json: JSON.stringify(run === undefined ? {} : finiteMetrics(run.metrics)),
  }
  const datasets = run?.inputs ?? []
  const path = modelPathOf(source, runsUri, run)
  if (run === undefined || path === null) return { patch: base, datasets }
  const file = path === '' ? PLINTH_MODEL_FILE : `${path}/${PLINTH_MODEL_FILE}`
  try {
    const bytes = await runs.readArtifact(ctx, run.id, file)
    if (bytes === undefined) return { patch: base, datasets }
    const model = parsePlinthModelFile(bytes)
    if (findEstimatorEntry(model.kind) === undefined) {
      // A model this build cannot load (a newer Plinth's kind, or a typo) would fail later.
      return {
        patch: {
          ...base,
          status: 'FAILED_REGISTRATION',
          status_message: `${file}: unknown model kind '${model.kind.slice(0, 200)}'`,
        },
        datasets,
      }
    }
    return {
      patch: {
        ...base,
        flavor: 'plinth',
        model_kind: model.kind,
        model_path: path,
        signature_json: JSON.stringify(model.signature),
        input_example_json: model.inputExample === null ? null : JSON.stringify(model.inputExample),
      },
      datasets,
    }
  } catch (err) {
    const message = isPlatformError(err) ? err.message : 'could not read the model files'
    return {
      patch: {
        ...base,
        status: 'FAILED_REGISTRATION',
        status_message: `${file}: ${message}`.slice(0, 1000),
      },
      datasets,
    }
  }
}
