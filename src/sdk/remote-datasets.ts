import { createReadStream } from 'node:fs'
import path from 'node:path'

import { NotFoundError, ValidationError } from '../core/index.js'
import type { HttpTransport } from '../http/index.js'
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
  type DatasetVersionRef,
  type DatasetsClient,
} from './datasets-client.js'

/** `?k=v&…` of the defined fields. */
function queryOf(fields: Readonly<Record<string, string | undefined>>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) q.append(k, v)
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

/**
 * The datasets client over `/api/v1/datasets`: the same requests a browser or `curl` sends,
 * errors rebuilt from Plinth's error body by the shared transport.
 */
export function createRemoteDatasetsClient(transport: HttpTransport): DatasetsClient {
  const base = '/api/v1/datasets'
  const datasetPath = (name: string) => `${base}/${encodeURIComponent(checkName(name))}`
  const versionPath = (name: string, version: DatasetVersionRef) =>
    `${datasetPath(name)}/versions/${encodeURIComponent(checkVersion(version))}`

  async function getJson(p: string): Promise<unknown> {
    const res = await transport.request('GET', p)
    return await res.json()
  }
  const getVersion = async (name: string, version: DatasetVersionRef) =>
    fromWire(WIRE.version, await getJson(versionPath(name, version)), 'version')

  return {
    async list() {
      return fromWire(WIRE.list, await getJson(base), 'list').datasets
    },
    async show(name) {
      const dataset = fromWire(WIRE.dataset, await getJson(datasetPath(name)), 'dataset')
      try {
        return { dataset, latest: await getVersion(name, 'latest') }
      } catch (err) {
        if (err instanceof NotFoundError) return { dataset, latest: null }
        throw err
      }
    },
    async versions(name) {
      return fromWire(WIRE.versions, await getJson(`${datasetPath(name)}/versions`), 'versions')
        .versions
    },
    version: getVersion,
    async profile(name, version) {
      const p = `${versionPath(name, version)}/profile`
      return toProfile(fromWire(WIRE.profile, await getJson(p), 'profile'))
    },
    async head(name, version, options = {}) {
      const p = versionPath(name, version)
      const limit = checkLimit(options.limit)
      return fromWire(
        WIRE.rows,
        await getJson(`${p}/head${queryOf({ limit: String(limit) })}`),
        'head',
      )
    },
    async export(name, version, options = {}) {
      const p = versionPath(name, version)
      const format = checkExportFormat(options.format)
      // No deadline: the body streams for as long as the file takes.
      const res = await transport.request('GET', `${p}/content${queryOf({ format })}`, undefined, {
        deadline: false,
      })
      const body: AsyncIterable<Uint8Array> = res.body ?? (async function* () {})()
      return { format, mediaType: res.headers.get('content-type') ?? '', body }
    },
    async ingest(input) {
      const checked = await checkIngest(input)
      const { source, options: o } = checked
      if (source.kind !== 'bytes' && source.kind !== 'file') {
        throw new ValidationError('remote mode uploads files or bytes', [
          {
            path: ['source'],
            code: 'invalid_value',
            message: `a ${source.kind} table is read where the platform runs: ingest it in embedded mode or with the CLI`,
          },
        ])
      }
      const fileName = source.kind === 'file' ? path.basename(source.path) : o.fileName
      const query = queryOf({
        format: source.format,
        target: o.target,
        description: o.description,
        skipBadRows: o.skipBadRows === undefined ? undefined : String(o.skipBadRows),
        encoding: o.encoding,
        fileName,
      })
      const res = await transport.request(
        'POST',
        `${datasetPath(checked.name)}/versions${query}`,
        {
          headers: { 'content-type': 'application/octet-stream' },
          // A file streams out chunked as it is read ("half duplex": no response until the end).
          ...(source.kind === 'bytes'
            ? { body: source.bytes }
            : { body: createReadStream(source.path), duplex: 'half' }),
        },
        { deadline: false },
      )
      return fromWire(WIRE.ingest, await res.json(), 'ingest')
    },
    async split(name, version, spec) {
      const p = `${versionPath(name, version)}/split`
      const res = await transport.request('POST', p, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(checkSplitSpec(spec)),
      })
      return fromWire(WIRE.split, await res.json(), 'split')
    },
  }
}
