import { readFileSync } from 'node:fs'

/**
 * Plinth's version, read from its own package.json (the same relative location from `src/`
 * under tsx and from `dist/` when built).
 */
export function readVersion(): string {
  const raw: unknown = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  )
  if (
    typeof raw === 'object' &&
    raw !== null &&
    'version' in raw &&
    typeof raw.version === 'string'
  ) {
    return raw.version
  }
  return '0.0.0'
}
