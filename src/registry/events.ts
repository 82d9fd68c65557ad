/**
 * The registry's domain events, declared on core's event map so publishers and subscribers are
 * type-checked. Each is published after the write it describes has committed; every one of them
 * also has a row in the registry's audit history.
 */
declare module '../core/index.js' {
  interface DomainEventMap {
    'model.created': { readonly modelId: string; readonly name: string }
    'model.renamed': { readonly modelId: string; readonly from: string; readonly to: string }
    'model.deleted': { readonly modelId: string; readonly name: string }
    'model.version.created': {
      readonly modelId: string
      readonly name: string
      readonly version: number
      readonly source: string
      readonly runId: string | null
    }
    'model.version.deleted': {
      readonly modelId: string
      readonly name: string
      readonly version: number
    }
    'model.version.status.changed': {
      readonly name: string
      readonly version: number
      readonly from: string | null
      readonly to: string
    }
    'model.version.stage.changed': {
      readonly name: string
      readonly version: number
      readonly from: string
      readonly to: string
    }
    'model.alias.changed': {
      readonly name: string
      readonly alias: string
      /** The version it pointed at before, or null when new. */
      readonly from: number | null
      /** The version it points at now, or null when deleted. */
      readonly to: number | null
    }
  }
}

export {}
