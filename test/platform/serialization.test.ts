import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { Nullable } from '../../src/platform/http/schemas.js';
import { lazySerializerFactory, withoutSimpleUnions } from '../../src/platform/http/serialization.js';
import { Trade } from '../../src/modules/trades/trades.schemas.js';

const Status = Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('unavailable')], { description: 'state' });
const Shape = Type.Object({
  status: Status,
  note: Nullable(Type.String()),
  at: Nullable(Type.String({ format: 'date-time' })),
  count: Nullable(Type.Integer()),
  ratio: Type.Union([Type.Number(), Type.Null()]),
  flag: Nullable(Type.Boolean()),
  items: Type.Array(Type.Object({ side: Type.Union([Type.Literal('long'), Type.Literal('short')]), price: Nullable(Type.String()) })),
  either: Type.Union([Type.Object({ a: Type.String() }), Type.Object({ b: Type.Integer() })]),
});

/** Serialises with the factory Fastify is given, from the schema as written. */
function serializerFor(schema: unknown) {
  return lazySerializerFactory()({}, {})({ schema, method: 'GET', url: '/x', httpStatus: '200' } as never) as (doc: unknown) => string;
}

describe('withoutSimpleUnions', () => {
  it('turns string-literal unions into enums and primitive-or-null unions into type lists, keeping other unions', () => {
    const out = withoutSimpleUnions(Shape) as { properties: Record<string, Record<string, unknown>> };
    expect(out.properties.status).toEqual({ type: 'string', enum: ['ready', 'degraded', 'unavailable'], description: 'state' });
    expect(out.properties.note).toEqual({ type: ['string', 'null'] });
    expect(out.properties.at).toEqual({ type: ['string', 'null'], format: 'date-time' });
    expect(out.properties.count).toEqual({ type: ['integer', 'null'] });
    expect(out.properties.ratio).toEqual({ type: ['number', 'null'] });
    expect(out.properties.flag).toEqual({ type: ['boolean', 'null'] });
    const item = (out.properties.items!.items as { properties: Record<string, unknown> }).properties;
    expect(item.side).toEqual({ type: 'string', enum: ['long', 'short'] });
    expect(out.properties.either!.anyOf).toHaveLength(2);
  });

  it('leaves the schema it was given as it was', () => {
    const before = JSON.stringify(Shape);
    withoutSimpleUnions(Shape);
    expect(JSON.stringify(Shape)).toBe(before);
    expect(JSON.stringify(Shape)).toContain('anyOf');
  });

  it('serialises exactly what the schema as written serialises', async () => {
    const { default: build } = await import('fast-json-stringify');
    const asWritten = build(Shape as never);
    const serialize = serializerFor(Shape);
    const docs = [
      { status: 'ready', note: null, at: null, count: null, ratio: null, flag: null, items: [], either: { a: 'x' } },
      {
        status: 'degraded',
        note: 'say "hi"\n',
        at: new Date('2026-03-02T14:30:00.123Z'),
        count: 0,
        ratio: 0.25,
        flag: false,
        items: [{ side: 'short', price: '-1.50' }, { side: 'long', price: null }],
        either: { b: 3 },
        extra: 'dropped',
      },
    ];
    for (const doc of docs) expect(serialize(doc)).toBe(asWritten(doc));
    expect(JSON.parse(serialize(docs[1]))).toMatchObject({ at: '2026-03-02T14:30:00.123Z', count: 0, flag: false, items: [{ side: 'short', price: '-1.50' }, { side: 'long', price: null }] });
  });

  it('still refuses a value of neither type', () => {
    const serialize = serializerFor(Type.Object({ count: Nullable(Type.Integer()) }));
    expect(serialize({ count: 2 })).toBe('{"count":2}');
    expect(() => serialize({ count: 2.5 })).toThrow(TypeError);
    expect(() => serialize({ count: 'two' })).toThrow(TypeError);
  });

  it('serialises a stored trade as before', async () => {
    const { default: build } = await import('fast-json-stringify');
    const trade = {
      id: '0190f3a4-0000-7000-8000-000000000001',
      accountId: '0190f3a4-0000-7000-8000-000000000002',
      symbol: 'AAPL',
      instrumentKey: 'stock:AAPL',
      assetClass: 'stock',
      side: 'long',
      status: 'closed',
      openedAt: '2026-03-02T14:30:00.000Z',
      closedAt: '2026-03-02T15:30:00.000Z',
      quantity: '10',
      openQuantity: '0',
      avgEntry: '100',
      avgExit: '101.5',
      grossPnl: '15',
      fees: '2',
      netPnl: '13',
      costBasis: '0',
      holdSeconds: 3600,
      multiplier: '1',
      currency: 'USD',
      executionCount: 2,
      notes: 'it\'s "fine"',
      tags: [{ id: '0190f3a4-0000-7000-8000-000000000003', name: 'ORB', kind: 'setup', color: null }],
      playbookId: null,
      stopPrice: '99',
      initialRisk: null,
      rMultiple: 1.3,
      rating: null,
      createdAt: '2026-03-02T15:31:00.000Z',
      updatedAt: '2026-03-02T15:31:00.000Z',
    };
    expect(serializerFor(Trade)(trade)).toBe(build(Trade as never)(trade));
  });
});
