/**
 * The histogram engine: histogram passes and row partitions over one {@link BinnedMatrix}, on
 * the calling thread alone or with `worker_threads` workers over shared memory.
 *
 * ## Determinism
 * Every sum is taken in an order fixed by the data: a node of `n` rows is cut into
 * {@link chunkCount}`(n)` chunks whose bounds depend on `n` only; each chunk's histogram is a
 * sequential sum from zero, and the node's histogram is `((c0 + c1) + c2) + …` in chunk order.
 * One thread computes the same chunks in the same order, so any thread count gives the same
 * bits. Partitions are stable, so the row order (and with it every later sum) is the same too.
 *
 * ## Threads
 * A command (histogram tasks or partition tasks) is published in a shared control block; the
 * caller bumps a generation counter and notifies; every participant (the caller included)
 * claims tasks with `Atomics.add` on a shared cursor, then counts itself finished. Workers run
 * from source text ({@link spawnFunctionWorker}: no module loading, so they start in tens of
 * milliseconds under every runner) and compile the same generated kernels as the caller.
 * A batch of nodes with fewer than {@link PARALLEL_ROWS} rows in all runs on the calling thread.
 *
 * ## Kernels
 * Where WebAssembly SIMD is available (every supported Node), bins, gradients, hessians, row
 * indices and the histogram slots live in one shared `WebAssembly.Memory` and the passes run the
 * kernels of `wasm-kernels.ts` (each row's gradient pair added with one f64x2 per feature;
 * sparse nodes gathered block by block): about 2.5–3× the speed of the generated JavaScript
 * kernels, with the same sums bit for bit. Column-subset passes and hosts without WebAssembly use
 * the JavaScript kernels.
 *
 * @internal
 */
import type { Worker } from 'node:worker_threads'

import { spawnFunctionWorker, wasmApi, type WasmMemory, type WasmModule } from '../../base/index.js'

import {
  FEATURE_DOUBLES,
  GATHER_SPAN,
  accumulateFeatures,
  fillGoLeft,
  histKernel,
  histKernelSource,
  partitionRange,
  splitRows,
} from './kernels.js'
import type {
  BinnedMatrix,
  EngineSharedMemory,
  Histogram,
  HistogramEngine,
  RowSplit,
} from './types.js'
import {
  featureParts,
  gatherBufferBytes,
  histWasmModule,
  type WasmHistKernel,
} from './wasm-kernels.js'

/** Options of {@link createHistogramEngine}. */
export interface HistogramEngineOptions {
  /** Threads, the caller included (1 … 64). @default 1 */
  readonly nThreads?: number
  /** How long the first parallel command waits for workers to start (ms). @default 2000 */
  readonly startTimeoutMs?: number
  /**
   * Batches (histogram passes, partitions) of fewer rows in all run on the calling thread, and
   * with fewer rows than this in the data no worker starts. @default {@link PARALLEL_ROWS}
   */
  readonly parallelRows?: number
  /**
   * f64 margins and labels to keep in the engine's WebAssembly memory (see
   * {@link HistogramEngine.shared}), by count.
   */
  readonly rowArrays?: { readonly margin: number; readonly label: number }
}

/** Rows per histogram chunk at least: a node of `n` rows has `min(MAX_CHUNKS, ⌊n / CHUNK_ROWS⌋)` chunks. */
export const CHUNK_ROWS = 32768
/** Most chunks per node. */
export const MAX_CHUNKS = 8
/**
 * Batches of nodes with fewer rows in all run on the calling thread alone: below this, waking
 * the workers and merging their partial histograms costs more than it saves (80k rows × 28:
 * 3.6 s on 2 threads against 3.2 s on 1).
 */
export const PARALLEL_ROWS = 131072
/**
 * Nodes of at least this many rows in a batch of one or two nodes are summed on the workers even
 * under the batch threshold (a one-chunk node split between threads by features).
 */
const SPLIT_ROWS = 16384
/** Rows per partition chunk (partitions of fewer rows than two chunks run on the caller). */
const PARTITION_CHUNK = 32768
/** Splits partitioned in one parallel command at most (each has its own side table). */
const MAX_SPLITS = 512
/** Shared partial-histogram slots per round of a parallel pass. */
const SLOTS = 128
/** Task descriptor width (Int32 cells). */
const TASK = 4
const MAX_TASKS = 4096

/** Number of chunks of a node of `n` rows (depends on `n` only). */
export function chunkCount(n: number): number {
  return Math.max(1, Math.min(MAX_CHUNKS, Math.floor(n / CHUNK_ROWS)))
}

/** Control cells. */
const CTRL = {
  gen: 0,
  cmd: 1,
  next: 2,
  finished: 3,
  nTasks: 4,
  ready: 5,
  failed: 6,
  error: 7,
  feature: 8,
  nSubset: 9,
  size: 16,
} as const

const CMD_HIST = 1
const CMD_SPLIT = 2
const CMD_EXIT = -1

/**
 * Creates a histogram engine over `data`. With `nThreads > 1` it starts `nThreads − 1`
 * workers; call `close()` in a `finally`.
 *
 * @example
 * ```ts
 * const engine = createHistogramEngine(binned, { nThreads: 2 })
 * try { … } finally { engine.close() }
 * ```
 */
export function createHistogramEngine(
  data: BinnedMatrix,
  options: HistogramEngineOptions = {},
): HistogramEngine {
  const requested = Math.max(1, Math.min(64, Math.floor(options.nThreads ?? 1)))
  const parallelRows = Math.max(1, options.parallelRows ?? PARALLEL_ROWS)
  const parallel = requested > 1 && data.nRows >= parallelRows
  const alloc = (bytes: number): ArrayBuffer | SharedArrayBuffer =>
    parallel ? new SharedArrayBuffer(Math.max(bytes, 8)) : new ArrayBuffer(Math.max(bytes, 8))
  const { nRows, nFeatures, rowStride } = data
  const histDoubles = nFeatures * FEATURE_DOUBLES

  // With WebAssembly, bins, gradients, hessians, row indices and histogram scratch live in one
  // shared memory the kernels address by offset (see wasm-kernels.ts).
  const wasm = wasmLayout(
    data,
    histDoubles,
    parallel ? SLOTS : 0,
    parallel ? requested : 1,
    options.rowArrays,
  )
  let bins = wasm?.bins ?? data.bins
  if (wasm === undefined && parallel && !(bins.buffer instanceof SharedArrayBuffer)) {
    const copy = new Uint8Array(new SharedArrayBuffer(Math.max(bins.length, 4)), 0, bins.length)
    copy.set(bins)
    bins = copy
  }
  if (bins.byteOffset % 4 !== 0) bins = bins.slice()
  const bins32 = new Uint32Array(bins.buffer, bins.byteOffset, bins.length >>> 2)
  const grad = wasm?.grad ?? new Float32Array(alloc(nRows * 4), 0, nRows)
  const hess = wasm?.hess ?? new Float32Array(alloc(nRows * 4), 0, nRows)
  const rows = wasm?.rows ?? new Uint32Array(alloc(nRows * 4), 0, nRows)
  const left = new Uint32Array(alloc(nRows * 4), 0, nRows)
  const right = parallel ? new Uint32Array(alloc(nRows * 4), 0, nRows) : left
  // One 256-entry side table per split of a batch (the first serves single partitions).
  const goLeftAll = new Uint8Array(alloc(256 * MAX_SPLITS), 0, 256 * MAX_SPLITS)
  const goLeft = goLeftAll.subarray(0, 256)
  // Column-major bins for partitions: a split reads one feature of rows in ascending order, so
  // its bytes are near each other here, where the row-major bins put every row on its own
  // cache line.
  const colBins = new Uint8Array(alloc(nRows * nFeatures), 0, nRows * nFeatures)
  transposeBins(bins, rowStride, nRows, nFeatures, colBins)
  const partial = new Float64Array(histDoubles) // single-thread chunk partials
  const kernelRows = histKernel(nFeatures, 'rows')
  const kernelGather = histKernel(nFeatures, 'gather')
  const kernelContig = histKernel(nFeatures, 'contiguous')
  let identity = false

  const pool = parallel ? createPool(requested - 1) : undefined

  function zero(h: Float64Array, at: number, features: Int32Array | undefined): void {
    if (features === undefined) h.fill(0, at, at + histDoubles)
    else
      for (let k = 0; k < features.length; k++) {
        const o = at + features[k]! * FEATURE_DOUBLES
        h.fill(0, o, o + FEATURE_DOUBLES)
      }
  }

  function accumulate(
    begin: number,
    end: number,
    h: Float64Array,
    at: number,
    features: Int32Array | undefined,
  ): void {
    // After an unmasked reset, rows[i] = i until the first partition.
    const contiguous = identity
    if (features !== undefined)
      accumulateFeatures(
        bins,
        rowStride,
        features,
        grad,
        hess,
        contiguous ? undefined : rows,
        begin,
        end,
        h,
        at,
      )
    else if (contiguous) kernelContig(bins32, grad, hess, undefined, begin, end, h, at)
    else if (end > begin && rows[end - 1]! - rows[begin]! > GATHER_SPAN * (end - begin))
      kernelGather(bins32, grad, hess, rows, begin, end, h, at)
    else kernelRows(bins32, grad, hess, rows, begin, end, h, at)
  }

  /** The WebAssembly kernel over rows `[begin, end)` into the histogram at byte `hist`. */
  function wasmAccumulate(begin: number, end: number, hist: number, part = 0): void {
    if (wasm === undefined) return
    const a = wasm.at
    const k = part === 0 ? wasm : wasm.parts[part - 1]!
    const kernel = identity
      ? k.contig
      : end > begin && rows[end - 1]! - rows[begin]! > GATHER_SPAN * (end - begin)
        ? k.gather
        : k.rowsKernel
    // The calling thread's gather buffer is the first.
    kernel(a.bins, a.grad, a.hess, a.rows, begin, end, hist, a.gather)
  }

  /** `out += h[at …]` over the listed features (or all). */
  function addInto(
    out: Float64Array,
    h: Float64Array,
    at: number,
    features: Int32Array | undefined,
  ): void {
    if (features === undefined) {
      for (let i = 0; i < histDoubles; i++) out[i] = out[i]! + h[at + i]!
    } else
      for (let k = 0; k < features.length; k++) {
        const o = features[k]! * FEATURE_DOUBLES
        for (let i = o; i < o + FEATURE_DOUBLES; i++) out[i] = out[i]! + h[at + i]!
      }
  }

  function copyInto(
    out: Float64Array,
    h: Float64Array,
    at: number,
    features: Int32Array | undefined,
  ): void {
    if (features === undefined) out.set(h.subarray(at, at + histDoubles))
    else
      for (let k = 0; k < features.length; k++) {
        const o = features[k]! * FEATURE_DOUBLES
        out.set(h.subarray(at + o, at + o + FEATURE_DOUBLES), o)
      }
  }

  /** One node on the calling thread, in the chunk order of {@link chunkCount}. */
  function buildLocal(
    begin: number,
    end: number,
    out: Float64Array,
    features: Int32Array | undefined,
  ): void {
    const n = end - begin
    const nc = chunkCount(n)
    if (wasm !== undefined && features === undefined) {
      // Each chunk summed from zero in the scratch histogram, then copied (first) or added.
      for (let c = 0; c < nc; c++) {
        wasm.scratch.fill(0)
        wasmAccumulate(
          begin + Math.floor((c * n) / nc),
          begin + Math.floor(((c + 1) * n) / nc),
          wasm.at.scratch,
        )
        if (c === 0) out.set(wasm.scratch)
        else addInto(out, wasm.scratch, 0, undefined)
      }
      return
    }
    zero(out, 0, features)
    accumulate(begin, begin + Math.floor(n / nc), out, 0, features)
    for (let c = 1; c < nc; c++) {
      zero(partial, 0, features)
      accumulate(
        begin + Math.floor((c * n) / nc),
        begin + Math.floor(((c + 1) * n) / nc),
        partial,
        0,
        features,
      )
      addInto(out, partial, 0, features)
    }
  }

  function checkNodes(
    nodes: readonly { readonly begin: number; readonly end: number }[],
    out: readonly Histogram[],
  ): void {
    if (out.length < nodes.length)
      throw new Error(`buildHistograms: ${nodes.length} nodes but ${out.length} outputs`)
    for (let i = 0; i < nodes.length; i++) {
      const { begin, end } = nodes[i]!
      if (!(begin >= 0 && begin <= end && end <= nRows))
        throw new Error(`buildHistograms: bad node range [${begin}, ${end})`)
      if (out[i]!.length < histDoubles)
        throw new Error(`buildHistograms: histogram ${i} is shorter than ${histDoubles}`)
    }
  }

  let closed = false
  const engine: HistogramEngine = {
    data,
    get nThreads() {
      return pool === undefined ? 1 : pool.threads
    },
    grad,
    hess,
    rows,
    ...(wasm?.shared === undefined ? {} : { shared: wasm.shared }),
    resetRows(mask) {
      let n = 0
      if (mask === undefined) {
        for (let r = 0; r < nRows; r++) rows[r] = r
        n = nRows
        identity = true
      } else {
        if (mask.length !== nRows)
          throw new Error(`resetRows: mask length ${mask.length}, expected ${nRows}`)
        for (let r = 0; r < nRows; r++) if (mask[r] !== 0) rows[n++] = r
        identity = n === nRows
      }
      return n
    },
    buildHistograms(nodes, out, features) {
      checkNodes(nodes, out)
      if (pool === undefined || pool.start() === 1) {
        for (let i = 0; i < nodes.length; i++)
          buildLocal(nodes[i]!.begin, nodes[i]!.end, out[i]!, features)
        return
      }
      pool.buildHistograms(nodes, out, features)
    },
    partition(begin, end, split) {
      return engine.partitionMany([{ begin, end, split }])[0]!
    },
    partitionMany(splits) {
      const mids: number[] = []
      for (const { begin, end, split } of splits) {
        if (!(begin >= 0 && begin <= end && end <= nRows))
          throw new Error(`partition: bad range [${begin}, ${end})`)
        const f = split.feature
        if (!(Number.isInteger(f) && f >= 0 && f < nFeatures))
          throw new Error(`partition: bad feature ${f}`)
      }
      identity = false
      let total = 0
      for (const s of splits) total += s.end - s.begin
      // A level of many nodes goes to the workers from parallelRows rows in all; one or two
      // nodes (leaf-wise growth) from two partition chunks.
      const enough = total >= parallelRows || (splits.length <= 2 && total >= 2 * PARTITION_CHUNK)
      if (pool === undefined || !enough || pool.start() === 1) {
        for (const { begin, end, split } of splits) {
          fillGoLeft(
            goLeft,
            data.categorical[split.feature] === 1,
            split.bin,
            split.missingLeft,
            split.catBits,
          )
          mids.push(partitionRange(colBins, split.feature * nRows, goLeft, rows, begin, end, left))
        }
        return mids
      }
      for (let i = 0; i < splits.length; i += MAX_SPLITS)
        mids.push(...pool.partitionMany(splits.slice(i, i + MAX_SPLITS)))
      return mids
    },
    close() {
      if (closed) return
      closed = true
      pool?.close()
    },
  }
  return engine

  /** The worker side of the engine: shared buffers, task queue, and the parallel commands. */
  function createPool(nWorkers: number) {
    const control = new Int32Array(new SharedArrayBuffer(CTRL.size * 4))
    const tasks = new Int32Array(new SharedArrayBuffer(MAX_TASKS * TASK * 4))
    const counts = new Int32Array(new SharedArrayBuffer(MAX_TASKS * 4))
    const subset = new Int32Array(new SharedArrayBuffer(Math.max(nFeatures, 1) * 4))
    const slots = wasm?.slots ?? new Float64Array(new SharedArrayBuffer(SLOTS * histDoubles * 8))
    const workers: Worker[] = []
    const workerData: HistWorkerData = {
      control,
      tasks,
      counts,
      subset,
      slots,
      bins,
      colBins,
      grad,
      hess,
      rows,
      left,
      right,
      goLeft: goLeftAll,
      nFeatures,
      nRows,
      rowStride,
      histDoubles,
      kernelRows: histKernelSource(nFeatures, 'rows'),
      kernelGather: histKernelSource(nFeatures, 'gather'),
      kernelContig: histKernelSource(nFeatures, 'contiguous'),
      gatherSpan: GATHER_SPAN,
      cells: CTRL,
      featureDoubles: FEATURE_DOUBLES,
      wasm:
        wasm === undefined
          ? undefined
          : {
              module: wasm.module,
              memory: wasm.memory,
              at: wasm.at,
              gatherBytes: gatherBufferBytes(nFeatures),
              featureParts: wasm.featureParts,
            },
    }
    for (let w = 0; w < nWorkers; w++) {
      try {
        workers.push(
          spawnFunctionWorker(histWorkerMain, workerData, {
            cells: control,
            increment: CTRL.failed,
            notify: CTRL.ready,
          }),
        )
      } catch {
        break
      }
    }
    let participants = -1
    const startTimeout = options.startTimeoutMs ?? 2000

    /** Waits for the workers once; returns the thread count. */
    function start(): number {
      if (participants >= 0) return participants + 1
      const deadline = performance.now() + startTimeout
      for (;;) {
        const r = Atomics.load(control, CTRL.ready)
        if (r + Atomics.load(control, CTRL.failed) >= workers.length) break
        const left = deadline - performance.now()
        if (left <= 0) break
        Atomics.wait(control, CTRL.ready, r, left)
      }
      for (;;) {
        const r = Atomics.load(control, CTRL.ready)
        if (Atomics.compareExchange(control, CTRL.ready, r, -1 - r) === r) {
          participants = r
          break
        }
      }
      return participants + 1
    }

    /** Publishes a command, runs tasks on the caller too (after `local`), waits for the rest. */
    function run(cmd: number, nTasks: number, local: () => void): void {
      Atomics.store(control, CTRL.cmd, cmd)
      Atomics.store(control, CTRL.nTasks, nTasks)
      Atomics.store(control, CTRL.next, 0)
      Atomics.store(control, CTRL.finished, 0)
      Atomics.add(control, CTRL.gen, 1)
      Atomics.notify(control, CTRL.gen)
      local()
      for (;;) {
        const t = Atomics.add(control, CTRL.next, 1)
        if (t >= nTasks) break
        runTask(cmd, t)
      }
      // A short spin first: the last worker usually finishes within microseconds of the caller,
      // sooner than a wake-up from Atomics.wait.
      for (let spin = 0; spin < 2000; spin++)
        if (Atomics.load(control, CTRL.finished) >= participants) break
      for (;;) {
        const f = Atomics.load(control, CTRL.finished)
        if (f >= participants) break
        Atomics.wait(control, CTRL.finished, f)
      }
      if (Atomics.load(control, CTRL.error) !== 0) throw new Error('a histogram worker failed')
    }

    let subsetView: Int32Array | undefined
    function runTask(cmd: number, t: number): void {
      const b = tasks[t * TASK]!
      const e = tasks[t * TASK + 1]!
      if (cmd === CMD_HIST) {
        const at = tasks[t * TASK + 2]! * histDoubles
        const part = tasks[t * TASK + 3]! >> 1
        if (part > 0 && wasm !== undefined) {
          // One half of a node's features: zero and sum only those slots.
          const [f0, f1] = wasm.featureParts[part - 1]!
          slots.fill(0, at + f0 * FEATURE_DOUBLES, at + f1 * FEATURE_DOUBLES)
          wasmAccumulate(b, e, wasm.at.slots + at * 8, part)
        } else {
          zero(slots, at, subsetView)
          if (wasm !== undefined && subsetView === undefined)
            wasmAccumulate(b, e, wasm.at.slots + at * 8)
          else accumulate(b, e, slots, at, subsetView)
        }
      } else {
        const table = tasks[t * TASK + 3]! * 256
        counts[t] = splitRows(
          colBins,
          tasks[t * TASK + 2]! * nRows,
          goLeftAll.subarray(table, table + 256),
          rows,
          b,
          e,
          left,
          right,
        )
      }
    }

    return {
      get threads() {
        return Math.max(participants, 0) + 1
      },
      start,
      buildHistograms(
        nodes: readonly { readonly begin: number; readonly end: number }[],
        out: readonly Histogram[],
        features: Int32Array | undefined,
      ): void {
        start()
        if (participants === 0) {
          for (let i = 0; i < nodes.length; i++)
            buildLocal(nodes[i]!.begin, nodes[i]!.end, out[i]!, features)
          return
        }
        if (features !== undefined) {
          subset.set(features)
          subsetView = subset.subarray(0, features.length)
        } else subsetView = undefined
        Atomics.store(control, CTRL.nSubset, features === undefined ? -1 : features.length)
        let total = 0
        for (const node of nodes) total += node.end - node.begin
        // One or two nodes of some size (leaf-wise growth) go to the workers even under the
        // batch threshold: a one-chunk node is split between threads by features.
        const splitFeatures = wasm !== undefined && features === undefined && nFeatures > 4
        const fewLarge =
          splitFeatures && nodes.length <= 2 && nodes.every((n) => n.end - n.begin >= SPLIT_ROWS)
        if (total < parallelRows && !fewLarge) {
          // Too little work to wake the workers for.
          for (let i = 0; i < nodes.length; i++)
            buildLocal(nodes[i]!.begin, nodes[i]!.end, out[i]!, features)
          return
        }
        // [begin, end, slot, part] of this round: part 0 is every feature, 1 and 2 the halves
        // of featureParts (both halves of a node share its slot).
        const pending: [number, number, number, number][] = []
        let i = 0
        while (i < nodes.length) {
          // One round: as many nodes as fit in the slots, each cut into its chunks.
          pending.length = 0
          let nSlots = 0
          const first = i
          for (; i < nodes.length; i++) {
            const { begin, end } = nodes[i]!
            const n = end - begin
            const nc = chunkCount(n)
            if (nSlots + nc > SLOTS && nSlots > 0) break
            if (nc === 1 && splitFeatures && n >= SPLIT_ROWS) {
              pending.push([begin, end, nSlots, 1], [begin, end, nSlots, 2])
              nSlots++
              continue
            }
            for (let c = 0; c < nc; c++)
              pending.push([
                begin + Math.floor((c * n) / nc),
                begin + Math.floor(((c + 1) * n) / nc),
                nSlots++,
                0,
              ])
          }
          // Largest tasks first, for balance (the slots, not the claim order, fix the sums).
          const order = pending
            .slice()
            .sort((a, b) => b[1] - b[0] - (a[1] - a[0]) || a[2] - b[2] || a[3] - b[3])
          for (let t = 0; t < order.length; t++) {
            const [b, e, slot, part] = order[t]!
            tasks[t * TASK] = b
            tasks[t * TASK + 1] = e
            tasks[t * TASK + 2] = slot
            tasks[t * TASK + 3] = (identity ? 1 : 0) | (part << 1)
          }
          run(CMD_HIST, order.length, () => undefined)
          // Reduce in chunk order.
          let slot = 0
          for (let k = first; k < i; k++) {
            const n = nodes[k]!.end - nodes[k]!.begin
            const nc = chunkCount(n)
            const h = out[k]!
            copyInto(h, slots, slot * histDoubles, features)
            if (nc === 1 && splitFeatures && n >= SPLIT_ROWS) {
              slot++
              continue
            }
            for (let c = 1; c < nc; c++) addInto(h, slots, (slot + c) * histDoubles, features)
            slot += nc
          }
        }
      },
      /** Disjoint splits (at most MAX_SPLITS), each in chunks of PARTITION_CHUNK rows or whole. */
      partitionMany(
        splits: readonly {
          readonly begin: number
          readonly end: number
          readonly split: RowSplit
        }[],
      ): number[] {
        start()
        const first: number[] = [] // each split's first task
        let nt = 0
        splits.forEach(({ begin, end, split }, s) => {
          fillGoLeft(
            goLeftAll.subarray(s * 256, s * 256 + 256),
            data.categorical[split.feature] === 1,
            split.bin,
            split.missingLeft,
            split.catBits,
          )
          first.push(nt)
          const n = end - begin
          const nc = Math.max(1, Math.floor(n / PARTITION_CHUNK))
          for (let c = 0; c < nc; c++) {
            if (nt >= MAX_TASKS) throw new Error('partitionMany: too many tasks')
            tasks[nt * TASK] = begin + Math.floor((c * n) / nc)
            tasks[nt * TASK + 1] = begin + Math.floor(((c + 1) * n) / nc)
            tasks[nt * TASK + 2] = split.feature
            tasks[nt * TASK + 3] = s
            nt++
          }
        })
        first.push(nt)
        run(CMD_SPLIT, nt, () => undefined)
        return splits.map(({ begin }, s) => {
          let at = begin
          for (let t = first[s]!; t < first[s + 1]!; t++) {
            const b = tasks[t * TASK]!
            rows.set(left.subarray(b, b + counts[t]!), at)
            at += counts[t]!
          }
          const mid = at
          for (let t = first[s]!; t < first[s + 1]!; t++) {
            const b = tasks[t * TASK]!
            const nr = tasks[t * TASK + 1]! - b - counts[t]!
            rows.set(right.subarray(b, b + nr), at)
            at += nr
          }
          return mid
        })
      },
      close(): void {
        start()
        Atomics.store(control, CTRL.cmd, CMD_EXIT)
        Atomics.add(control, CTRL.gen, 1)
        Atomics.notify(control, CTRL.gen)
        for (const w of workers) void w.terminate()
      },
    }
  }
}

/** What a worker receives. */
interface HistWorkerData {
  readonly control: Int32Array<SharedArrayBuffer>
  readonly tasks: Int32Array
  readonly counts: Int32Array
  readonly subset: Int32Array
  readonly slots: Float64Array
  readonly bins: Uint8Array
  readonly colBins: Uint8Array
  readonly grad: Float32Array
  readonly hess: Float32Array
  readonly rows: Uint32Array
  readonly left: Uint32Array
  readonly right: Uint32Array
  readonly goLeft: Uint8Array
  readonly nFeatures: number
  readonly nRows: number
  readonly rowStride: number
  readonly histDoubles: number
  readonly kernelRows: string
  readonly kernelGather: string
  readonly gatherSpan: number
  readonly kernelContig: string
  readonly cells: typeof CTRL
  readonly featureDoubles: number
  readonly wasm:
    | {
        module: WasmModule
        memory: WasmMemory
        at: WasmOffsets
        gatherBytes: number
        featureParts: readonly [number, number][]
      }
    | undefined
}

/**
 * The worker loop. It runs from its source text, so it is self-contained: no imports, no
 * module-level helpers, no nested named functions. Its task bodies mirror the caller's
 * `runTask` (the histogram kernels are the same generated source).
 */
function histWorkerMain(d: HistWorkerData): void {
  const {
    control,
    tasks,
    counts,
    subset,
    slots,
    bins,
    colBins,
    grad,
    hess,
    rows,
    left,
    right,
    goLeft,
    cells,
  } = d
  const TASK_W = 4
  const bins32 = new Uint32Array(bins.buffer, bins.byteOffset, bins.length >>> 2)
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const kRows = (new Function(d.kernelRows) as () => (...a: unknown[]) => void)()
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const kContig = (new Function(d.kernelContig) as () => (...a: unknown[]) => void)()
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const kGather = (new Function(d.kernelGather) as () => (...a: unknown[]) => void)()
  type WasmKernel = (...a: number[]) => void
  const wasmGlobal = (
    globalThis as unknown as {
      WebAssembly: {
        Instance: new (
          m: WasmModule,
          i: object,
        ) => {
          exports: Record<string, WasmKernel>
        }
      }
    }
  ).WebAssembly
  const wx =
    d.wasm === undefined
      ? undefined
      : new wasmGlobal.Instance(d.wasm.module, { env: { memory: d.wasm.memory } }).exports
  // This worker's index among the participants (the caller is 0): its gather buffer.
  let self = 0
  for (;;) {
    const r = Atomics.load(control, cells.ready)
    if (r < 0) return
    if (Atomics.compareExchange(control, cells.ready, r, r + 1) === r) {
      self = r + 1
      break
    }
  }
  Atomics.notify(control, cells.ready)
  let seen = 0
  for (;;) {
    Atomics.wait(control, cells.gen, seen)
    seen = Atomics.load(control, cells.gen)
    const cmd = Atomics.load(control, cells.cmd)
    if (cmd < 0) return
    const nTasks = Atomics.load(control, cells.nTasks)
    const nSubset = Atomics.load(control, cells.nSubset)
    try {
      for (;;) {
        const t = Atomics.add(control, cells.next, 1)
        if (t >= nTasks) break
        const b = tasks[t * TASK_W]!
        const e = tasks[t * TASK_W + 1]!
        if (cmd === 1) {
          const at = tasks[t * TASK_W + 2]! * d.histDoubles
          const flags = tasks[t * TASK_W + 3]!
          const contiguous = (flags & 1) === 1
          const part = flags >> 1
          if (nSubset < 0) {
            if (part > 0 && d.wasm !== undefined) {
              // One half of a node's features: only those slots.
              const fp = d.wasm.featureParts[part - 1]!
              slots.fill(0, at + fp[0] * d.featureDoubles, at + fp[1] * d.featureDoubles)
            } else slots.fill(0, at, at + d.histDoubles)
            if (wx !== undefined && d.wasm !== undefined) {
              const o = d.wasm.at
              const suffix = part > 0 ? String(part) : ''
              const k = contiguous
                ? wx[`contig${suffix}`]!
                : e > b && rows[e - 1]! - rows[b]! > d.gatherSpan * (e - b)
                  ? wx[`gather${suffix}`]!
                  : wx[`rows${suffix}`]!
              k(
                o.bins,
                o.grad,
                o.hess,
                o.rows,
                b,
                e,
                o.slots + at * 8,
                o.gather + self * d.wasm.gatherBytes,
              )
            } else if (contiguous) kContig(bins32, grad, hess, undefined, b, e, slots, at)
            else if (e > b && rows[e - 1]! - rows[b]! > d.gatherSpan * (e - b))
              kGather(bins32, grad, hess, rows, b, e, slots, at)
            else kRows(bins32, grad, hess, rows, b, e, slots, at)
          } else {
            for (let k = 0; k < nSubset; k++) {
              const o = at + subset[k]! * d.featureDoubles
              slots.fill(0, o, o + d.featureDoubles)
            }
            for (let i = b; i < e; i++) {
              const r = contiguous ? i : rows[i]!
              const g = grad[r]!
              const h = hess[r]!
              const base = r * d.rowStride
              for (let k = 0; k < nSubset; k++) {
                const f = subset[k]!
                const a = at + f * d.featureDoubles + (bins[base + f]! << 1)
                slots[a] = slots[a]! + g
                slots[a + 1] = slots[a + 1]! + h
              }
            }
          }
        } else {
          const colAt = tasks[t * TASK_W + 2]! * d.nRows
          const table = tasks[t * TASK_W + 3]! * 256
          let nl = b
          let nr = b
          for (let i = b; i < e; i++) {
            const r = rows[i]!
            const g = goLeft[table + colBins[colAt + r]!]!
            left[nl] = r
            right[nr] = r
            nl += g
            nr += 1 - g
          }
          counts[t] = nl - b
        }
      }
    } catch {
      Atomics.store(control, cells.error, 1)
    }
    Atomics.add(control, cells.finished, 1)
    Atomics.notify(control, cells.finished)
  }
}

/** Copies row-major bins (`rowStride` bytes per row) to column-major `out` (`nRows` per feature). */
function transposeBins(
  bins: Uint8Array,
  rowStride: number,
  nRows: number,
  nFeatures: number,
  out: Uint8Array,
): void {
  // Blocks of rows keep each feature's output run and the input rows in cache.
  const BLOCK = 1024
  for (let r0 = 0; r0 < nRows; r0 += BLOCK) {
    const r1 = Math.min(nRows, r0 + BLOCK)
    for (let f = 0; f < nFeatures; f++) {
      const o = f * nRows
      for (let r = r0, at = r0 * rowStride + f; r < r1; r++, at += rowStride) out[o + r] = bins[at]!
    }
  }
}

/** Byte offsets of the kernels' arrays in the shared memory. */
interface WasmOffsets {
  readonly bins: number
  readonly grad: number
  readonly hess: number
  readonly rows: number
  readonly scratch: number
  readonly slots: number
  /** One gather buffer per thread, the caller's first. */
  readonly gather: number
}

/** The shared memory of the WebAssembly kernels, its views and the compiled kernels. */
interface WasmEngineMemory {
  readonly module: WasmModule
  readonly memory: WasmMemory
  readonly at: WasmOffsets
  readonly bins: Uint8Array
  readonly grad: Float32Array
  readonly hess: Float32Array
  readonly rows: Uint32Array
  readonly scratch: Float64Array
  readonly slots: Float64Array
  readonly contig: WasmHistKernel
  readonly rowsKernel: WasmHistKernel
  readonly gather: WasmHistKernel
  /** The kernels of each half of the features (`featureParts`), and those halves. */
  readonly parts: readonly {
    readonly contig: WasmHistKernel
    readonly rowsKernel: WasmHistKernel
    readonly gather: WasmHistKernel
  }[]
  readonly featureParts: readonly [number, number][]
  readonly shared: EngineSharedMemory | undefined
}

/**
 * Lays out bins (copied in), gradients, hessians, row indices, a scratch histogram, `nSlots`
 * histogram slots and a gather buffer per thread in one shared WebAssembly memory; `undefined` where the kernels can't run
 * (no WebAssembly SIMD, or a memory beyond 4 GiB).
 */
function wasmLayout(
  data: BinnedMatrix,
  histDoubles: number,
  nSlots: number,
  nThreads: number,
  rowArrays: { readonly margin: number; readonly label: number } | undefined,
): WasmEngineMemory | undefined {
  const api = wasmApi()
  const module = histWasmModule(data.nFeatures)
  if (api === undefined || module === null) return undefined
  const { nRows, rowStride } = data
  if (rowStride !== ((data.nFeatures + 3) >>> 2) * 4) return undefined
  let end = 0
  const take = (bytes: number): number => {
    const o = end
    end += Math.ceil(bytes / 16) * 16
    return o
  }
  const at: WasmOffsets = {
    bins: take(nRows * rowStride),
    grad: take(nRows * 4),
    hess: take(nRows * 4),
    rows: take(nRows * 4),
    scratch: take(histDoubles * 8),
    slots: take(nSlots * histDoubles * 8),
    gather: take(nThreads * gatherBufferBytes(data.nFeatures)),
  }
  const margin = take((rowArrays?.margin ?? 0) * 8)
  const label = take((rowArrays?.label ?? 0) * 8)
  const pages = Math.ceil(Math.max(end, 1) / 65536)
  if (pages > 65536) return undefined
  let memory: WasmMemory
  let exports: Record<string, unknown>
  try {
    memory = new api.Memory({ initial: pages, maximum: pages, shared: true })
    exports = new api.Instance(module, { env: { memory } }).exports
  } catch {
    return undefined
  }
  const buf = memory.buffer
  const bins = new Uint8Array(buf, at.bins, nRows * rowStride)
  bins.set(data.bins.subarray(0, nRows * rowStride))
  return {
    module,
    memory,
    at,
    bins,
    grad: new Float32Array(buf, at.grad, nRows),
    hess: new Float32Array(buf, at.hess, nRows),
    rows: new Uint32Array(buf, at.rows, nRows),
    scratch: new Float64Array(buf, at.scratch, histDoubles),
    slots: new Float64Array(buf, at.slots, nSlots * histDoubles),
    contig: exports['contig'] as WasmHistKernel,
    rowsKernel: exports['rows'] as WasmHistKernel,
    gather: exports['gather'] as WasmHistKernel,
    parts: [1, 2].map((p) => ({
      contig: exports[`contig${p}`] as WasmHistKernel,
      rowsKernel: exports[`rows${p}`] as WasmHistKernel,
      gather: exports[`gather${p}`] as WasmHistKernel,
    })),
    featureParts: featureParts(data.nFeatures),
    shared:
      rowArrays === undefined
        ? undefined
        : {
            memory,
            margin: new Float64Array(buf, margin, rowArrays.margin),
            label: new Float64Array(buf, label, rowArrays.label),
            at: { grad: at.grad, hess: at.hess, margin, label },
          },
  }
}
