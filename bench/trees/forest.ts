/**
 * Random forest bench: Plinth's `RandomForestClassifier` against scikit-learn 1.2's (run through
 * `/usr/bin/python3`), same data, trees and jobs, one after the other.
 *
 * Usage: node --import tsx bench/trees/forest.ts [--rows 100000] [--trees 100] [--jobs 2]
 *
 * Data: the first `rows` rows of `bench/.data/higgs_like_1000000_s42.X.f32` (float32, row-major,
 * 28 features; labels in `.y.u8`), train = the first 80%, test = the rest. Both fit with default
 * parameters (full-depth trees, `max_features='sqrt'`, bootstrap). Only the fit is timed. The
 * machine is shared, so CPU seconds are printed beside wall seconds; the last line is JSON.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { createColumn, createFrame, type Frame } from '../../src/frame/index.js'
import { rocAucScore } from '../../src/ml/metrics/index.js'
import { RandomForestClassifier } from '../../src/ml/tree/forest/index.js'

const N_FEATURES = 28
const args = process.argv.slice(2)
function arg(name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const n = arg('rows', 100_000)
const trees = arg('trees', 100)
const jobs = arg('jobs', 2)
const here = path.dirname(fileURLToPath(import.meta.url))
const stem = path.join(here, '..', '.data', 'higgs_like_1000000_s42')
const cut = Math.floor((n * 8) / 10)

const PEER = `
import sys, time, json
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
stem, n, cut, trees, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
X = np.fromfile(stem + '.X.f32', dtype=np.float32, count=n * 28).reshape(n, 28)
y = np.fromfile(stem + '.y.u8', dtype=np.uint8, count=n)
m = RandomForestClassifier(n_estimators=trees, n_jobs=jobs, random_state=0)
c0 = time.process_time(); t0 = time.perf_counter()
m.fit(X[:cut], y[:cut])
fit_s = time.perf_counter() - t0
cpu = time.process_time() - c0
auc = roc_auc_score(y[cut:], m.predict_proba(X[cut:])[:, 1])
print(json.dumps({"fit_s": fit_s, "cpu_s": cpu, "auc": auc,
                  "nodes_per_tree": sum(e.tree_.node_count for e in m.estimators_) / trees}))
`

function runPeer(): { fit_s: number; cpu_s: number; auc: number; nodes_per_tree: number } {
  const r = spawnSync(
    '/usr/bin/python3',
    ['-c', PEER, stem, String(n), String(cut), String(trees), String(jobs)],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  )
  if (r.status !== 0) throw new Error(`scikit-learn peer failed: ${r.stderr}`)
  const line = r.stdout.trim().split('\n').pop() ?? ''
  return JSON.parse(line) as { fit_s: number; cpu_s: number; auc: number; nodes_per_tree: number }
}

function runPlinth(): { fit_s: number; cpu_s: number; auc: number; nodes_per_tree: number } {
  const raw = readFileSync(`${stem}.X.f32`)
  const xs = new Float32Array(raw.buffer, raw.byteOffset, n * N_FEATURES)
  const labels = readFileSync(`${stem}.y.u8`).subarray(0, n)
  const frame = (start: number, end: number): Frame =>
    createFrame(
      Array.from({ length: N_FEATURES }, (_, j) => {
        const v = new Float32Array(end - start)
        for (let i = start; i < end; i++) v[i - start] = xs[i * N_FEATURES + j]!
        return createColumn({ name: `f${String(j)}`, dtype: 'f32', values: v })
      }),
    )
  const Xtr = frame(0, cut)
  const Xte = frame(cut, n)
  const ytr = createColumn({
    name: 'label',
    dtype: 'i32',
    values: Int32Array.from(labels.subarray(0, cut)),
  })
  const est = new RandomForestClassifier({ nEstimators: trees, nJobs: jobs, seed: 0 })
  // Worker threads' CPU time counts in the process's cpuUsage.
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const model = est.fit(Xtr, ytr)
  const fitS = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const p1 = model.predictProba(Xte).columns[1]!.values as Float64Array
  const auc = rocAucScore(Array.from(labels.subarray(cut, n)), Array.from(p1))
  const nodes = model.ensemble.trees.reduce((s, t) => s + t.nNodes, 0) / trees
  return { fit_s: fitS, cpu_s: (cpu.user + cpu.system) / 1e6, auc, nodes_per_tree: nodes }
}

const plinth = runPlinth()
const peer = runPeer()
const f = (v: number, d = 3): string => v.toFixed(d)
process.stdout.write(
  `random forest: ${n} rows × ${N_FEATURES} (train ${cut}), ${trees} trees, ${jobs} job(s)\n` +
    `            fit s   cpu s   test AUC   nodes/tree\n` +
    `Plinth     ${f(plinth.fit_s, 2).padStart(6)}  ${f(plinth.cpu_s, 2).padStart(6)}   ${f(plinth.auc, 4)}     ${f(plinth.nodes_per_tree, 0)}\n` +
    `sklearn    ${f(peer.fit_s, 2).padStart(6)}  ${f(peer.cpu_s, 2).padStart(6)}   ${f(peer.auc, 4)}     ${f(peer.nodes_per_tree, 0)}\n` +
    `time ratio (Plinth / sklearn): wall ${f(plinth.fit_s / peer.fit_s, 2)}, cpu ${f(plinth.cpu_s / peer.cpu_s, 2)}\n`,
)
process.stdout.write(
  `${JSON.stringify({
    bench: 'forest',
    rows: n,
    trees,
    jobs,
    plinth_fit_s: plinth.fit_s,
    sklearn_fit_s: peer.fit_s,
    train_time_ratio: plinth.fit_s / peer.fit_s,
    cpu_time_ratio: plinth.cpu_s / peer.cpu_s,
    plinth_auc: plinth.auc,
    sklearn_auc: peer.auc,
    auc_delta: plinth.auc - peer.auc,
  })}\n`,
)
