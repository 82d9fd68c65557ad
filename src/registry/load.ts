import { PlatformError, isPlatformError, type RequestContext } from '../core/index.js'
import { loadModel as loadMlModel, type Model, type Predictor } from '../ml/index.js'
import type { ModelVersion } from './entities.js'
import { MODEL_STATE_FILE, parseModelStateFile } from './model-file.js'
import type { RegistryRunSource } from './run-source.js'

function isPredictor(model: Model): model is Predictor {
  return typeof (model as Partial<Predictor>).predict === 'function'
}

function describe(v: ModelVersion): string {
  return `version ${String(v.version)} of '${v.name}'`
}

/**
 * Loads a registered version's Plinth model into a ready Predictor.
 *
 * `FAILED_PRECONDITION` when the version is not `READY`, holds no Plinth model (an external
 * MLflow flavor or artifact URI: load it with the client that logged it), its run or
 * `model.json` is gone, or the model does not predict (a transformer); `INVALID_ARGUMENT` when
 * `model.json` is malformed.
 */
export async function loadPredictor(
  ctx: RequestContext,
  runs: RegistryRunSource,
  v: ModelVersion,
): Promise<Predictor> {
  const details = { name: v.name, version: v.version }
  if (v.status !== 'READY') {
    throw new PlatformError(
      'FAILED_PRECONDITION',
      `${describe(v)} is ${v.status}, not READY${v.statusMessage === '' ? '' : `: ${v.statusMessage}`}`,
      { ...details, status: v.status },
    )
  }
  if (v.flavor !== 'plinth' || v.modelPath === null || v.runId === null) {
    throw new PlatformError(
      'FAILED_PRECONDITION',
      `${describe(v)} holds no Plinth model (registered from '${v.source}', an external flavor); ` +
        'load it with the MLflow flavor that logged it',
      { ...details, flavor: v.flavor, source: v.source },
    )
  }
  return loadRunModel(ctx, runs, v.runId, v.modelPath, describe(v), details)
}

/**
 * Loads the Plinth model stored in a run's artifacts under `path` (the folder holding
 * `model.json`) into a ready Predictor; the errors are those of `loadPredictor`, prefixed with
 * `what`.
 */
export async function loadRunModel(
  ctx: RequestContext,
  runs: RegistryRunSource,
  runId: string,
  path: string,
  what = `run ${runId}`,
  details: Readonly<Record<string, unknown>> = { runId, path },
): Promise<Predictor> {
  const file = path === '' ? MODEL_STATE_FILE : `${path}/${MODEL_STATE_FILE}`
  const bytes = await runs.readArtifact(ctx, runId, file)
  if (bytes === undefined) {
    throw new PlatformError(
      'FAILED_PRECONDITION',
      `${what}: ${file} is missing from run ${runId}`,
      {
        ...details,
        runId,
        path: file,
      },
    )
  }
  let model: Model
  try {
    model = loadMlModel(parseModelStateFile(bytes))
  } catch (err) {
    if (isPlatformError(err)) {
      throw new PlatformError(
        err.code === 'NOT_FOUND' ? 'FAILED_PRECONDITION' : err.code,
        `${what}: ${err.message}`,
        { ...details, ...err.details },
        { cause: err },
      )
    }
    throw err
  }
  if (!isPredictor(model)) {
    throw new PlatformError(
      'FAILED_PRECONDITION',
      `${what} is a ${model.kind} model, which transforms rather than predicts`,
      { ...details, kind: model.kind },
    )
  }
  return model
}
