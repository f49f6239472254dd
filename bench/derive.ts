/**
 * deriveTrades micro-benchmark. `npx tsx bench/derive.ts [--runs 7]`
 *
 * Times the application's deriveTrades (exact fixed-point on BigInt) against the decimal.js
 * implementation it replaced (kept as the test oracle in test/modules/trades/derive-reference.ts)
 * on generated executions of one instrument, checks both give identical trades, and prints the
 * median of several runs after a warm-up.
 */
import { deriveTrades } from '../src/modules/trades/trades.domain.js';
import type { ExecutionInput } from '../src/modules/trades/trades.domain.js';
import { deriveTradesReference } from '../test/modules/trades/derive-reference.js';
import { isDeepStrictEqual } from 'node:util';

const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 7);

/** Deterministic PRNG (mulberry32). */
function prng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.UTC(2024, 0, 2, 14, 30);
const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** Random buys and sells: scale-ins, partial exits and many zero crossings (split fills). */
function randomWalk(n: number, seed: number): ExecutionInput[] {
  const rand = prng(seed);
  let price = 100;
  return Array.from({ length: n }, (_, i) => {
    price = Math.max(1, price + (rand() - 0.5));
    const quantity = 1 + Math.floor(rand() * 20);
    return {
      id: id(i),
      seq: i + 1,
      executedAt: new Date(START + i * 30_000),
      side: rand() < 0.5 ? 'buy' : 'sell',
      quantity: String(quantity),
      price: price.toFixed(2),
      commission: (quantity * 0.005).toFixed(3),
      fees: rand() < 0.3 ? '0.01' : '0',
      multiplier: '1',
    };
  });
}

/** Buy then sell the same quantity: n / 2 closed two-fill trades. */
function roundTrips(n: number, seed: number): ExecutionInput[] {
  const rand = prng(seed);
  let price = 100;
  let quantity = 0;
  return Array.from({ length: n }, (_, i) => {
    price = Math.max(1, price + (rand() - 0.5));
    if (i % 2 === 0) quantity = 1 + Math.floor(rand() * 100);
    return {
      id: id(i),
      seq: i + 1,
      executedAt: new Date(START + i * 30_000),
      side: i % 2 === 0 ? 'buy' : 'sell',
      quantity: String(quantity),
      price: price.toFixed(2),
      commission: '1.00',
      fees: '0.0035',
      multiplier: '1',
    };
  });
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(fn: () => unknown, n: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const cases: { name: string; executions: ExecutionInput[] }[] = [
  { name: '10,000 executions, random walk', executions: randomWalk(10_000, 1) },
  { name: '10,000 executions, 5,000 round trips', executions: roundTrips(10_000, 2) },
  { name: '100,000 executions, random walk', executions: randomWalk(100_000, 3) },
];

const header = ['case', 'trades', 'decimal.js ms', 'BigInt ms', 'speed-up', 'identical'];
const lines: string[][] = [];
for (const c of cases) {
  const fast = deriveTrades(c.executions);
  const identical = isDeepStrictEqual(fast, deriveTradesReference(c.executions));
  const reference = time(() => deriveTradesReference(c.executions), c.executions.length > 50_000 ? Math.min(runs, 3) : runs);
  const current = time(() => deriveTrades(c.executions), runs);
  lines.push([c.name, fast.length.toLocaleString('en-US'), reference.toFixed(1), current.toFixed(1), `${(reference / current).toFixed(1)}×`, identical ? 'yes' : 'NO']);
}
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(`\nderiveTrades — median of ${runs} runs after a warm-up, node ${process.version}\n`);
console.log(fmt(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const l of lines) console.log(fmt(l));
if (lines.some((l) => l[5] !== 'yes')) process.exitCode = 1;
