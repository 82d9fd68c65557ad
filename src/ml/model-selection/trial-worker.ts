/**
 * The worker-thread entry of the model-selection pool: it receives the shared data once, then
 * fits and scores (or just fits) estimators rebuilt through the registry, one request at a
 * time, and posts results, progress and errors back.
 */
import { parentPort } from 'node:worker_threads'

import { systemClock, ValidationError } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'

import { deserializeEstimator } from './estimator-spec.js'
import type { IdentifiedRequest, InitMessage, WorkerReply } from './protocol.js'
import type { Fold } from './splitter.js'
import { columnFromPayload, frameFromPayload, toErrorPayload } from './transfer.js'
import { runTrial } from './trial.js'

interface Data {
  readonly X: Frame
  readonly y: Column | undefined
  readonly folds: readonly Fold[]
}

const port = parentPort
if (port === null) throw new Error('trial-worker must run on a worker thread')

let data: Data | undefined

function post(reply: WorkerReply): void {
  port?.postMessage(reply)
}

function handle(req: IdentifiedRequest, d: Data): void {
  const estimator = deserializeEstimator(req.estimator)
  if (req.type === 'fit') {
    const model = estimator.fit(d.X, d.y, {
      ...(req.progress
        ? {
            onProgress: (progress) => {
              post({ type: 'progress', id: req.id, progress })
            },
          }
        : {}),
    })
    post({ type: 'fit', id: req.id, state: model.toJSON() })
    return
  }
  const fold = d.folds[req.fold]
  if (fold === undefined || d.y === undefined) throw new Error(`no fold ${req.fold} or no target`)
  const trialFold = req.trainSize === undefined ? fold : { ...fold, trainSize: req.trainSize }
  const result = runTrial(estimator, d.X, d.y, trialFold, req.settings, systemClock)
  post({ type: 'trial', id: req.id, result })
}

port.on('message', (msg: InitMessage | IdentifiedRequest) => {
  if (msg.type === 'init') {
    data = {
      X: frameFromPayload(msg.X),
      y: msg.y === undefined ? undefined : columnFromPayload(msg.y),
      folds: msg.folds,
    }
    return
  }
  try {
    if (data === undefined) throw new ValidationError('worker received work before its data')
    handle(msg, data)
  } catch (err) {
    post({ type: 'error', id: msg.id, error: toErrorPayload(err) })
  }
})
