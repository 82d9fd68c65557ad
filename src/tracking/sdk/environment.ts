import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'

import { TAGS } from '../entities.js'

/**
 * Tags describing where a run ran (MLflow's `mlflow.source.*` plus Plinth's `plinth.*`): the
 * entry script, the git commit of the working directory when it is a repository, the Node
 * version, the versions of Plinth and of the calling package, and the seed when given.
 */
export interface EnvironmentOptions {
  /** Directory whose git commit and `package.json` describe the code. @default process.cwd() */
  readonly cwd?: string
  /** The Plinth version to record. */
  readonly plinthVersion?: string
}

function gitCommit(cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['rev-parse', 'HEAD'],
      { cwd, timeout: 2000, windowsHide: true },
      (err, stdout) => {
        const out = stdout.trim()
        resolve(err === null && /^[0-9a-f]{40,64}$/.test(out) ? out : undefined)
      },
    )
  })
}

async function callerPackage(cwd: string): Promise<{ name: string; version: string } | undefined> {
  try {
    const pkg = JSON.parse(await readFile(path.join(cwd, 'package.json'), 'utf8')) as unknown
    if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && 'version' in pkg) {
      return { name: String(pkg.name), version: String(pkg.version) }
    }
  } catch {
    // No package.json (or not JSON): nothing to record.
  }
  return undefined
}

/** Captures the environment tags once per process and directory (git is asked once). */
export async function captureEnvironment(
  opts: EnvironmentOptions = {},
): Promise<Record<string, string>> {
  const cwd = opts.cwd ?? process.cwd()
  const [commit, pkg] = await Promise.all([gitCommit(cwd), callerPackage(cwd)])
  const versions: Record<string, string> = {}
  if (opts.plinthVersion !== undefined) versions['plinth'] = opts.plinthVersion
  if (pkg !== undefined) versions[pkg.name] = pkg.version
  const entry = process.argv[1]
  return {
    [TAGS.sourceType]: 'LOCAL',
    ...(entry === undefined ? {} : { [TAGS.sourceName]: entry }),
    ...(commit === undefined ? {} : { [TAGS.gitCommit]: commit }),
    [TAGS.nodeVersion]: process.version,
    ...(opts.plinthVersion === undefined ? {} : { [TAGS.plinthVersion]: opts.plinthVersion }),
    [TAGS.packageVersions]: JSON.stringify(versions),
  }
}
