import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely'

import { PlatformError } from '../core/index.js'

// Shared by every metadata adapter: adapters may not import each other (STYLE §2), so the
// lifecycle guard that each of them needs lives with the port it serves.

/**
 * What adapts the guard to one engine.
 *
 * @internal
 */
export interface GuardedDriverHooks {
  /** The database's location for messages, without secrets. */
  describe(): string
  /**
   * Turns an engine error from a statement into the error callers see. Return `err` itself to
   * let it through raw (constraint violations stay raw so repos can recognise them).
   */
  mapQueryError(err: unknown): unknown
  /** Turns a failure to obtain a connection into the error callers see. */
  mapConnectError(err: unknown): unknown
  /** Starts a transaction on the engine's own connection; defaults to the inner driver's `begin`. */
  beginTransaction?(connection: DatabaseConnection, settings: TransactionSettings): Promise<void>
}

/** A connection handed to Kysely: the engine's connection, with errors mapped. */
class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    readonly driver: Driver,
    private readonly mapError: (err: unknown) => unknown,
  ) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(compiledQuery)
    } catch (err) {
      throw this.mapError(err)
    }
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize)
    } catch (err) {
      throw this.mapError(err)
    }
  }
}

/**
 * A Kysely `Driver` that owns the store's lifecycle around the engine's real driver.
 *
 * Why not plain `kysely.destroy()`: after it, Kysely throws a bare `Error('driver has already
 * been destroyed')`, and the port promises `UNAVAILABLE`. So the Kysely instance lives as long as
 * the store, and this guard decides what a query may do:
 * - before `attach` (the store is not initialised): `FAILED_PRECONDITION`;
 * - after `close`: `UNAVAILABLE`;
 * - `close` stops new acquisitions, waits until every connection in use (a running query or an
 *   open transaction) is released, then destroys the engine driver.
 *
 * Kysely calls `init` lazily on first use; it does nothing here because the store opens the
 * engine itself, explicitly, in `MetadataStore.init`.
 *
 * @internal
 */
export class GuardedDriver implements Driver {
  readonly #hooks: GuardedDriverHooks
  #inner: Driver | undefined = undefined
  #closed = false
  #active = 0
  #idleWaiters: (() => void)[] = []

  constructor(hooks: GuardedDriverHooks) {
    this.#hooks = hooks
  }

  /** True after `close`. */
  get closed(): boolean {
    return this.#closed
  }

  async init(): Promise<void> {
    // Intentionally empty: see the class comment.
  }

  /** Starts routing queries to `inner`, an initialised engine driver. */
  attach(inner: Driver): void {
    if (this.#closed) throw new Error('assertion failed: attach after close')
    this.#inner = inner
  }

  /** Stops routing queries, waits for connections in use, and destroys the engine driver. */
  async detach(): Promise<void> {
    const inner = this.#inner
    this.#inner = undefined
    await this.#waitIdle()
    await inner?.destroy()
  }

  /** Like `detach`, and every later acquisition fails with `UNAVAILABLE`. */
  async close(): Promise<void> {
    this.#closed = true
    await this.detach()
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#closed) {
      throw new PlatformError('UNAVAILABLE', 'the metadata store is closed', {
        location: this.#hooks.describe(),
      })
    }
    const inner = this.#inner
    if (inner === undefined) {
      throw new PlatformError(
        'FAILED_PRECONDITION',
        'the metadata store is not initialised; call init() first',
        { location: this.#hooks.describe() },
      )
    }
    this.#active++
    try {
      const connection = await inner.acquireConnection()
      return new GuardedConnection(connection, inner, (err) => this.#hooks.mapQueryError(err))
    } catch (err) {
      this.#released()
      throw this.#hooks.mapConnectError(err)
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const guarded = unwrap(connection)
    try {
      await guarded.driver.releaseConnection(guarded.inner)
    } finally {
      this.#released()
    }
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    const guarded = unwrap(connection)
    try {
      if (this.#hooks.beginTransaction === undefined) {
        await guarded.driver.beginTransaction(guarded.inner, settings)
      } else {
        await this.#hooks.beginTransaction(guarded.inner, settings)
      }
    } catch (err) {
      throw this.#hooks.mapQueryError(err)
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const guarded = unwrap(connection)
    try {
      await guarded.driver.commitTransaction(guarded.inner)
    } catch (err) {
      throw this.#hooks.mapQueryError(err)
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const guarded = unwrap(connection)
    try {
      await guarded.driver.rollbackTransaction(guarded.inner)
    } catch (err) {
      throw this.#hooks.mapQueryError(err)
    }
  }

  async savepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    const guarded = unwrap(connection)
    if (guarded.driver.savepoint === undefined) throw new Error('savepoints are not supported')
    await guarded.driver.savepoint(guarded.inner, savepointName, compileQuery)
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    const guarded = unwrap(connection)
    if (guarded.driver.rollbackToSavepoint === undefined) {
      throw new Error('savepoints are not supported')
    }
    await guarded.driver.rollbackToSavepoint(guarded.inner, savepointName, compileQuery)
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler['compileQuery'],
  ): Promise<void> {
    const guarded = unwrap(connection)
    if (guarded.driver.releaseSavepoint === undefined) {
      throw new Error('savepoints are not supported')
    }
    await guarded.driver.releaseSavepoint(guarded.inner, savepointName, compileQuery)
  }

  /** Kysely's `destroy()` lands here; the store calls `close` itself, so treat it the same. */
  async destroy(): Promise<void> {
    await this.close()
  }

  #released(): void {
    this.#active--
    if (this.#active === 0) {
      const waiters = this.#idleWaiters
      this.#idleWaiters = []
      for (const wake of waiters) wake()
    }
  }

  #waitIdle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve()
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve)
    })
  }
}

function unwrap(connection: DatabaseConnection): GuardedConnection {
  if (!(connection instanceof GuardedConnection)) {
    throw new Error('assertion failed: a connection not issued by this driver')
  }
  return connection
}
