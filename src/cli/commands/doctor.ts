import type { Command } from 'commander'

import { PlatformError, toPlatformError } from '../../core/index.js'
import { configFlags, globalsOf, outputOf } from '../global-options.js'
import { printJson, println, renderTable } from '../output.js'
import type { CliRuntime } from '../runtime.js'

interface Check {
  readonly name: string
  readonly ok: boolean
  readonly detail: string
  readonly latencyMs?: number
}

/** `plinth doctor`: what is configured, and whether each store answers. */
export function registerDoctorCommand(program: Command, runtime: CliRuntime): void {
  program
    .command('doctor')
    .description('Show the configuration and check that every store answers.')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalsOf(cmd)
      const output = outputOf(runtime, g)
      const config = runtime.loadConfig({
        ...(g.config === undefined ? {} : { configFile: g.config }),
        flags: configFlags(g),
        defaults: { 'log.level': 'silent' },
      })
      const checks: Check[] = [{ name: 'node', ok: true, detail: process.version }]
      let schema: { applied: readonly string[]; known: readonly string[] } | undefined
      try {
        const platform = await runtime.openPlatform(config)
        try {
          const report = await platform.readiness()
          for (const [name, c] of Object.entries(report.checks)) checks.push({ name, ...c })
          schema = await platform.metadata.schemaStatus()
          checks.push({
            name: 'schema',
            ok: schema.applied.length === schema.known.length,
            detail: `${String(schema.applied.length)}/${String(schema.known.length)} migrations applied (latest ${schema.known.at(-1) ?? 'none'})`,
          })
        } finally {
          await platform.close()
        }
      } catch (err) {
        const e = toPlatformError(err)
        checks.push({ name: 'startup', ok: false, detail: `${e.code}: ${e.message}` })
      }
      const ok = checks.every((c) => c.ok)
      const summary = {
        ok,
        version: runtime.version,
        config: {
          dataDir: config.dataDir,
          metadataUrl: redact(config.metadata.url),
          artifactsUrl: config.artifacts.url,
          server: `${config.server.host}:${String(config.server.port)}`,
          logLevel: config.log.level,
          sources: config.sources,
        },
        checks,
      }
      if (output.json) printJson(output, summary)
      else {
        println(output, `Plinth ${runtime.version}`)
        println(output)
        println(output, `  data dir    ${config.dataDir}`)
        println(output, `  metadata    ${redact(config.metadata.url)}`)
        println(output, `  artifacts   ${config.artifacts.url}`)
        println(output, `  server      ${config.server.host}:${String(config.server.port)}`)
        const sources = Object.entries(config.sources)
        if (sources.length > 0) {
          println(output, `  set by      ${sources.map(([k, v]) => `${k} (${v})`).join(', ')}`)
        }
        println(output)
        println(
          output,
          renderTable(
            [
              { header: 'check', value: (c: Check) => c.name },
              { header: 'status', value: (c: Check) => (c.ok ? 'ok' : 'FAIL') },
              {
                header: 'ms',
                value: (c: Check) => (c.latencyMs === undefined ? '' : String(c.latencyMs)),
                align: 'right',
              },
              { header: 'detail', value: (c: Check) => c.detail },
            ],
            checks,
          ),
        )
      }
      if (!ok) throw new PlatformError('UNAVAILABLE', 'some checks failed', { silent: true })
    })
}

/** Removes a password from a URL for display. */
function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.protocol === 'sqlite:' ? url : u.toString()
  } catch {
    return url
  }
}
