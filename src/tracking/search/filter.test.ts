import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'

import { ValidationError } from '../../core/index.js'
import { likeToGlob } from './compile.js'
import {
  RUN_ATTRIBUTES,
  parseFilter,
  parseOrderBy,
  printFilter,
  type ComparisonNode,
  type FilterNode,
} from './filter.js'

// Fixed seed: CI is reproducible, and fast-check prints the seed and the counterexample on failure.
const PARAMS = { seed: 20261124, numRuns: 300 }

function cmp(
  entity: ComparisonNode['entity'],
  key: string,
  op: ComparisonNode['op'],
  value: ComparisonNode['value'],
): ComparisonNode {
  return { kind: 'comparison', entity, key, op, value }
}

describe('parseFilter', () => {
  it('parses MLflow filters', () => {
    expect(parseFilter("metrics.rmse < 0.5 and params.model = 'gbdt'")).toEqual({
      kind: 'and',
      items: [cmp('metric', 'rmse', '<', 0.5), cmp('param', 'model', '=', 'gbdt')],
    })
    expect(parseFilter('metrics.`f1 score` >= 1e-3')).toEqual(
      cmp('metric', 'f1 score', '>=', 0.001),
    )
    expect(parseFilter('metric."f1 score" != -2')).toEqual(cmp('metric', 'f1 score', '!=', -2))
    expect(parseFilter('tags."mlflow.runName" LIKE \'bold-%\'')).toEqual(
      cmp('tag', 'mlflow.runName', 'LIKE', 'bold-%'),
    )
    expect(parseFilter('params.model.lr = "0.1"')).toEqual(cmp('param', 'model.lr', '=', '0.1'))
    expect(parseFilter('attributes.run_id IN (\'a\', "b")')).toEqual(
      cmp('attribute', 'run_id', 'IN', ['a', 'b']),
    )
    expect(parseFilter("run_name not in ('x')")).toEqual(
      cmp('attribute', 'run_name', 'NOT IN', ['x']),
    )
    expect(parseFilter('created > 5')).toEqual(cmp('attribute', 'start_time', '>', 5))
    expect(parseFilter("`run name` = 'r'")).toEqual(cmp('attribute', 'run_name', '=', 'r'))
    expect(parseFilter("status = 'FINISHED'")).toEqual(cmp('attribute', 'status', '=', 'FINISHED'))
    expect(parseFilter("datasets.context = 'training'")).toEqual(
      cmp('dataset', 'context', '=', 'training'),
    )
    expect(parseFilter("tags.note = 'it''s'")).toEqual(cmp('tag', 'note', '=', "it's"))
    expect(parseFilter('   ')).toBeUndefined()
  })

  it('adds OR and parentheses with AND binding tighter', () => {
    expect(parseFilter('metrics.a > 1 OR metrics.b > 2 AND metrics.c > 3')).toEqual({
      kind: 'or',
      items: [
        cmp('metric', 'a', '>', 1),
        { kind: 'and', items: [cmp('metric', 'b', '>', 2), cmp('metric', 'c', '>', 3)] },
      ],
    })
    expect(parseFilter('(metrics.a > 1 OR metrics.b > 2) AND metrics.c > 3')).toEqual({
      kind: 'and',
      items: [
        { kind: 'or', items: [cmp('metric', 'a', '>', 1), cmp('metric', 'b', '>', 2)] },
        cmp('metric', 'c', '>', 3),
      ],
    })
    // Nested groups of one kind flatten.
    expect(parseFilter('metrics.a > 1 AND (metrics.b > 2 AND metrics.c > 3)')).toEqual({
      kind: 'and',
      items: [cmp('metric', 'a', '>', 1), cmp('metric', 'b', '>', 2), cmp('metric', 'c', '>', 3)],
    })
  })

  it('reports the position of the first problem', () => {
    const cases: [string, number, RegExp][] = [
      ['metrics.rmse <', 14, /expected a number/],
      ["metrics.rmse < 'x'", 15, /expected a number/],
      ['params.lr = 0.1', 12, /quoted string/],
      ['params.lr > "1"', 10, /'>' cannot compare params/],
      ["foo.bar = 'x'", 0, /unknown entity 'foo'/],
      ["unknown = 'x'", 0, /unknown run attribute/],
      ["run_name IN 'x'", 12, /expected '\(' after IN/],
      ['(metrics.a > 1', 14, /expected '\)'/],
      ['metrics.a > 1 metrics.b > 2', 14, /expected AND, OR/],
      ["tags.t = 'open", 9, /unterminated/],
      ['metrics.a > 1 ; drop table runs', 14, /unexpected character ';'/],
      ["datasets.size = 'x'", 0, /unknown dataset key/],
    ]
    for (const [text, position, message] of cases) {
      let err: unknown
      try {
        parseFilter(text)
      } catch (e) {
        err = e
      }
      expect(err, text).toBeInstanceOf(ValidationError)
      const v = err as ValidationError
      expect(v.details['position'], text).toBe(position)
      expect(v.message, text).toMatch(message)
      expect(v.issues[0]?.path).toEqual(['filter'])
    }
  })

  it('knows the experiment attributes', () => {
    expect(parseFilter("name LIKE 'churn%' AND tags.team = 'a'", 'experiments')).toEqual({
      kind: 'and',
      items: [cmp('attribute', 'name', 'LIKE', 'churn%'), cmp('tag', 'team', '=', 'a')],
    })
    expect(() => parseFilter('metrics.a > 1', 'experiments')).toThrow(/experiments cannot/)
  })
})

describe('parseOrderBy', () => {
  it('parses keys and directions', () => {
    expect(parseOrderBy('metrics.rmse')).toEqual({ entity: 'metric', key: 'rmse', ascending: true })
    expect(parseOrderBy('params.`learning rate` desc')).toEqual({
      entity: 'param',
      key: 'learning rate',
      ascending: false,
    })
    expect(parseOrderBy('attributes.start_time ASC')).toEqual({
      entity: 'attribute',
      key: 'start_time',
      ascending: true,
    })
    expect(() => parseOrderBy('metrics.a sideways')).toThrow(/ASC or DESC/)
    expect(() => parseOrderBy('metrics.a DESC x')).toThrow(/after the order/)
  })
})

describe('likeToGlob', () => {
  it('keeps GLOB metacharacters literal', () => {
    expect(likeToGlob('a%b_c*d?e[f')).toBe('a*b?c[*]d[?]e[[]f')
  })
})

// ------------------------------------------------------------------ properties

const keyArb = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !k.includes('`'))
const stringArb = fc.string({ maxLength: 12 })
const numberArb = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .map((x) => (Object.is(x, -0) ? 0 : x))

const comparisonArb: fc.Arbitrary<ComparisonNode> = fc.oneof(
  fc
    .tuple(keyArb, fc.constantFrom('=', '!=', '>', '>=', '<', '<=' as const), numberArb)
    .map(([k, op, v]) => cmp('metric', k, op, v)),
  fc
    .tuple(
      fc.constantFrom('param' as const, 'tag' as const),
      keyArb,
      fc.constantFrom('=', '!=', 'LIKE', 'ILIKE' as const),
      stringArb,
    )
    .map(([e, k, op, v]) => cmp(e, k, op, v)),
  fc
    .tuple(
      fc.constantFrom(...Object.keys(RUN_ATTRIBUTES).filter((a) => RUN_ATTRIBUTES[a] === 'string')),
      fc.oneof(
        fc.tuple(fc.constantFrom('=', '!=', 'LIKE', 'ILIKE' as const), stringArb),
        fc.tuple(
          fc.constantFrom('IN', 'NOT IN' as const),
          fc.array(stringArb, { minLength: 1, maxLength: 3 }),
        ),
      ),
    )
    .map(([k, [op, v]]) => cmp('attribute', k, op, v)),
  fc
    .tuple(
      fc.constantFrom('start_time', 'end_time'),
      fc.constantFrom('>', '<=' as const),
      numberArb,
    )
    .map(([k, op, v]) => cmp('attribute', k, op, v)),
)

/** Normalised trees: groups of 2–3 items, never a group directly inside one of its kind. */
const filterArb: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparisonArb,
    fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((items): FilterNode => ({
      kind: 'and',
      items: items.flatMap((n) => (n.kind === 'and' ? n.items : [n])),
    })),
    fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((items): FilterNode => ({
      kind: 'or',
      items: items.flatMap((n) => (n.kind === 'or' ? n.items : [n])),
    })),
  ),
})).node

describe('filter properties', () => {
  test.prop([filterArb], PARAMS)('parseFilter(printFilter(f)) equals f', (f) => {
    expect(parseFilter(printFilter(f))).toEqual(f)
  })

  test.prop([fc.string({ maxLength: 60 })], PARAMS)(
    'never crashes on arbitrary text: a tree or a ValidationError with a position',
    (text) => {
      try {
        parseFilter(text)
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError)
        const pos = (err as ValidationError).details['position']
        expect(typeof pos).toBe('number')
        expect(pos).toBeGreaterThanOrEqual(0)
        expect(pos).toBeLessThanOrEqual(text.length)
      }
    },
  )

  test.prop(
    [
      fc
        .array(
          fc.constantFrom(
            'metrics.a',
            'params.`p q`',
            '>',
            '=',
            'LIKE',
            'AND',
            'OR',
            '(',
            ')',
            "'x'",
            '"y"',
            '1.5',
            'IN',
            'NOT',
            ',',
          ),
          { maxLength: 12 },
        )
        .map((t) => t.join(' ')),
    ],
    PARAMS,
  )('never crashes on token soup', (text) => {
    try {
      parseFilter(text)
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError)
    }
  })
})
