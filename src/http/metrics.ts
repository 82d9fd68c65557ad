import { Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** The Prometheus registry of one server, with Node process metrics and HTTP timings. */
export interface HttpMetrics {
  readonly registry: Registry
  readonly requestDuration: Histogram<'method' | 'route' | 'status_code'>
}

/**
 * Creates a registry for one app. Never the prom-client global registry: two apps in one
 * process (tests, embedded use) must not share or double-register metrics.
 */
export function createHttpMetrics(registry: Registry = new Registry()): HttpMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'plinth_' })
  const requestDuration = new Histogram({
    name: 'plinth_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  return { registry, requestDuration }
}
