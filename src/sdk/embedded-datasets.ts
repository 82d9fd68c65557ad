import { Readable } from 'node:stream'

import { NotFoundError, type RequestContext } from '../core/index.js'
import type { DatasetService, IngestInput } from '../datasets/index.js'
import {
  WIRE,
  checkExportFormat,
  checkIngest,
  checkLimit,
  checkName,
  checkSplitSpec,
  checkVersion,
  fromWire,
  toProfile,
  toWire,
  type CheckedIngest,
  type DatasetsClient,
} from './datasets-client.js'

function ingestInput(checked: CheckedIngest): IngestInput {
  const o = checked.options
  return {
    name: checked.name,
    ...(o.target === undefined ? {} : { target: o.target }),
    ...(o.description === undefined ? {} : { description: o.description }),
    ...(o.skipBadRows === undefined ? {} : { skipBadRows: o.skipBadRows }),
    ...(o.encoding === undefined ? {} : { encoding: o.encoding }),
  }
}

/**
 * The datasets client over the dataset service, with a fixed request context: what
 * `plinth datasets …` does, returned in the shapes the HTTP API serves.
 */
export function createEmbeddedDatasetsClient(
  service: DatasetService,
  ctx: RequestContext,
): DatasetsClient {
  const ref = (name: string, version: Parameters<typeof checkVersion>[0]): string =>
    `${checkName(name)}@${checkVersion(version)}`
  const getVersion = async (r: string) =>
    fromWire(WIRE.version, toWire(await service.getVersion(ctx, r)), 'version')

  return {
    async list() {
      const datasets = await service.listDatasets(ctx)
      return fromWire(WIRE.list, toWire({ datasets }), 'list').datasets
    },
    async show(name) {
      const dataset = fromWire(
        WIRE.dataset,
        toWire(await service.getDataset(ctx, checkName(name))),
        'dataset',
      )
      try {
        return { dataset, latest: await getVersion(`${name}@latest`) }
      } catch (err) {
        if (err instanceof NotFoundError) return { dataset, latest: null }
        throw err
      }
    },
    async versions(name) {
      const versions = await service.listVersions(ctx, checkName(name))
      return fromWire(WIRE.versions, toWire({ versions }), 'versions').versions
    },
    version: async (name, version) => getVersion(ref(name, version)),
    async profile(name, version) {
      const profile = await service.getProfile(ctx, ref(name, version))
      return toProfile(fromWire(WIRE.profile, toWire(profile), 'profile'))
    },
    async head(name, version, options = {}) {
      const r = ref(name, version)
      const preview = await service.headVersion(ctx, r, checkLimit(options.limit))
      return fromWire(WIRE.rows, toWire(preview), 'head')
    },
    async export(name, version, options = {}) {
      const r = ref(name, version)
      const format = checkExportFormat(options.format)
      const out = await service.exportVersion(ctx, r, format)
      return { format, mediaType: out.mediaType, body: out.body }
    },
    async ingest(input) {
      const checked = await checkIngest(input)
      const { source } = checked
      const result =
        source.kind === 'bytes'
          ? await service.ingestUpload(ctx, Readable.from([source.bytes]), source.format, {
              ...ingestInput(checked),
              // The bytes are already in memory: no limit beyond their own size.
              maxBytes: source.bytes.byteLength,
              ...(checked.options.fileName === undefined
                ? {}
                : { fileName: checked.options.fileName }),
            })
          : await service.ingestDataset(ctx, source, ingestInput(checked))
      return fromWire(WIRE.ingest, toWire(result), 'ingest')
    },
    async split(name, version, spec) {
      const r = ref(name, version)
      const result = await service.splitVersion(ctx, r, checkSplitSpec(spec))
      return fromWire(WIRE.split, toWire(result), 'split')
    },
  }
}
