import { z } from 'zod'

/**
 * Default age, in milliseconds, after which `init` treats a leftover temp file as abandoned.
 *
 * A live writer touches its temp file on every chunk, so only a writer whose source has been idle
 * this long can lose its file; its final `rename` then fails and its `put` rejects, so the
 * worst case is a failed upload, never a partial blob.
 */
export const DEFAULT_STALE_TEMP_AFTER_MS = 60 * 60 * 1000

/**
 * Configuration of the local-filesystem artifact store.
 *
 * - `kind`: always `'fs'`.
 * - `root`: directory holding `blobs/` and `tmp/`. Absolute or relative; a relative path is
 *   resolved against the working directory once, when the store is created. It is created
 *   (mode `0o700`) by `init` if missing.
 * - `verifyOnRead`: re-hash every blob while it is streamed out and fail the stream with
 *   `INTERNAL` (`reason: 'CORRUPT'`) at the end if the bytes no longer match the key.
 *   `@default true`
 * - `staleTempAfterMs`: `init` deletes temp files in `tmp/` whose last modification is at least
 *   this old (crashed writers). `0` deletes every temp file, which is only safe when a single
 *   process writes to the root. `@default 3_600_000` (one hour)
 *
 * @example
 * ```ts
 * const config = fsArtifactConfigSchema.parse({ kind: 'fs', root: './data/artifacts' })
 * config.verifyOnRead // true
 * ```
 */
export const fsArtifactConfigSchema = z
  .object({
    kind: z.literal('fs'),
    root: z
      .string()
      .min(1)
      .refine((s) => !s.includes('\0'), { message: 'must not contain NUL characters' }),
    verifyOnRead: z.boolean().default(true),
    staleTempAfterMs: z.number().int().nonnegative().default(DEFAULT_STALE_TEMP_AFTER_MS),
  })
  .strict()

/**
 * What `createFsArtifactStore` accepts: the schema's input, so the defaulted fields may be
 * omitted (an already-parsed config is accepted too).
 */
export type FsArtifactConfig = z.input<typeof fsArtifactConfigSchema>
