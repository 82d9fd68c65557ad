// The import table of STYLE.md §2, enforced. Modules talk through their index.ts only.
const DOMAINS = [
  'workspaces',
  'artifacts',
  'datasets',
  'tracking',
  'registry',
  'features',
  'serving',
  'monitoring',
  'pipelines',
  'sqlml',
]
const LAYERS = [
  'core',
  'numeric',
  'frame',
  'ml',
  'ports',
  ...DOMAINS,
  'governance',
  'adapters',
  'http',
  'cli',
  'platform',
  'sdk',
  'bin',
]
const alt = (xs) => `(${xs.join('|')})`
const TEST = '(\\.test\\.ts|\\.test-d\\.ts)$|^src/ports/testing/|^src/test-support/'

/** For each domain, the domains it must not import (itself and every higher one are fine / forbidden). */
const domainRules = DOMAINS.map((d, i) => ({
  name: `domain-order-${d}`,
  comment: `${d} may import only lower domains (${DOMAINS.slice(0, i).join(', ') || 'none'})`,
  severity: 'error',
  from: { path: `^src/${d}/` },
  to: {
    path: `^src/${alt([...DOMAINS.slice(i + 1), 'governance', 'adapters', 'http', 'cli', 'platform', 'bin'])}/`,
  },
}))

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-is-dependency-free',
      comment: 'core imports node: built-ins only',
      severity: 'error',
      from: { path: '^src/core/', pathNot: TEST },
      to: { pathNot: '^src/core/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'pure-numeric-frame-ml',
      comment: 'numeric < frame < ml; no I/O layers',
      severity: 'error',
      from: { path: '^src/(numeric|frame|ml)/' },
      to: {
        path: `^src/${alt(LAYERS.filter((l) => !['core', 'numeric', 'frame', 'ml'].includes(l)))}/`,
      },
    },
    {
      name: 'numeric-below-frame',
      severity: 'error',
      from: { path: '^src/numeric/' },
      to: { path: '^src/(frame|ml)/' },
    },
    {
      name: 'frame-below-ml',
      severity: 'error',
      from: { path: '^src/frame/' },
      to: { path: '^src/ml/' },
    },
    {
      name: 'ports-import-core-and-kysely',
      severity: 'error',
      from: { path: '^src/ports/', pathNot: TEST },
      to: {
        pathNot: ['^src/(core|ports)/', '^node_modules/kysely/'],
        dependencyTypesNot: ['core'],
      },
    },
    ...domainRules,
    {
      name: 'governance-imports-core-and-ports',
      severity: 'error',
      from: { path: '^src/governance/' },
      to: {
        path: `^src/${alt(LAYERS.filter((l) => !['core', 'ports', 'governance'].includes(l)))}/`,
      },
    },
    {
      name: 'adapters-import-core-ports-and-drivers',
      comment: 'an adapter never imports a domain or another adapter',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: {
        path: '^src/',
        pathNot: ['^src/(core|ports)/', '^src/adapters/$1/', '^src/test-support/'],
      },
    },
    {
      name: 'edges-never-choose-adapters',
      comment: 'http and cli use domains, core and port types; only platform picks adapters',
      severity: 'error',
      from: { path: '^src/(http|cli)/' },
      to: { path: '^src/(adapters|bin)/' },
    },
    {
      name: 'cli-uses-platform-types-only',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/platform/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'http-does-not-use-cli-or-platform',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(cli|platform)/' },
    },
    {
      name: 'only-bin-and-sdk-use-platform',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: ['^src/(platform|bin|cli|sdk)/', '^src/index\\.ts$', TEST],
      },
      to: { path: '^src/platform/' },
    },
    {
      name: 'no-deep-imports',
      comment: 'between modules, import only the other module’s index.ts',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: TEST },
      to: {
        path: '^src/',
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/adapters/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'no-deep-imports-into-adapters',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/', pathNot: TEST },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/$1/' },
    },
    {
      name: 'sdk-imports-http-platform-domains-core',
      comment: 'the SDK composes the HTTP client, the platform and domain index.ts files',
      severity: 'error',
      from: { path: '^src/sdk/' },
      to: { path: '^src/(adapters|cli|bin|governance)/' },
    },
    {
      name: 'nothing-imports-sdk',
      comment: 'the SDK is a leaf: only the package entry points expose it',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/sdk/', '^src/index\\.ts$', TEST] },
      to: { path: '^src/sdk/' },
    },
    {
      name: 'tests-only-import-testing-support',
      comment: 'contract suites and test helpers are for tests',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST },
      to: { path: '^src/(ports/testing|test-support)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    exclude: { path: '^dist/' },
  },
}
