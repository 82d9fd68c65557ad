/**
 * Shared checks of metric inputs: field-level `ValidationError`s and shape guards.
 */
import { ValidationError, type ValidationIssue } from '../../core/index.js'
import type { Column, Frame } from '../../frame/index.js'

/** @internal */
export function issue(path: string, code: string, message: string): ValidationIssue {
  return { path: [path], code, message }
}

/** @internal */
export function fail(message: string, path: string, code: string, detail = message): never {
  throw new ValidationError(message, [issue(path, code, detail)])
}

/** @internal */
export function isColumn(x: unknown): x is Column {
  return typeof x === 'object' && x !== null && 'dtype' in x && 'values' in x && 'name' in x
}

/** @internal */
export function isFrame(x: unknown): x is Frame {
  return typeof x === 'object' && x !== null && 'columns' in x && 'nRows' in x && 'nColumns' in x
}

/** @internal */
export function checkMissing(col: Column, path: string): void {
  if (col.validity !== undefined) {
    const first = col.validity.indexOf(0)
    fail(`${path} has missing values`, path, 'missing_values', `missing value at row ${first}`)
  }
}
