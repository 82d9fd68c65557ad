import type { ActorId, ArtifactId, ContentKey, WorkspaceId } from '../core/index.js'

/**
 * A named file in a workspace. The name is the user's label only; the bytes live in the
 * artifact store under their content key, so identical content is stored once.
 */
export interface Artifact {
  readonly id: ArtifactId
  readonly workspace: WorkspaceId
  readonly name: string
  readonly key: ContentKey
  /** `sha256:<key>`. */
  readonly digest: string
  readonly size: number
  readonly mediaType: string
  readonly createdAt: number
  readonly createdBy: ActorId
}

/** Input of `putArtifact` besides the bytes. */
export interface PutArtifactInput {
  /** 1–512 characters, no control characters; normalised to NFC. */
  readonly name: string
  /** @default 'application/octet-stream' */
  readonly mediaType?: string
  /** Refuse larger content. */
  readonly maxBytes?: number
}

/** One page of a listing. */
export interface Page<T> {
  readonly items: readonly T[]
  /** Pass back to get the next page; absent on the last page. */
  readonly nextPageToken?: string
}

/** Options of `listArtifacts`. */
export interface ListArtifactsOptions {
  /** 1–1000. @default 100 */
  readonly limit?: number
  readonly pageToken?: string
}
