/**
 * Every broker format TradeSense reads, and choosing one for a file. Adding a broker: write
 * brokers/<broker>.ts exporting a BrokerAdapter and list it here.
 */
import { ibkrActivityAdapter } from '../brokers/ibkr-activity.js';
import { ibkrFlexAdapter } from '../brokers/ibkr-flex.js';
import { ninjatraderAdapter } from '../brokers/ninjatrader.js';
import { thinkorswimAdapter } from '../brokers/thinkorswim.js';
import { tradervueAdapter } from '../brokers/tradervue.js';
import { tradesenseAdapter } from '../brokers/tradesense.js';
import { tradezeroAdapter } from '../brokers/tradezero.js';
import { tradovateAdapter } from '../brokers/tradovate.js';
import { webullAdapter } from '../brokers/webull.js';
import type { BrokerAdapter } from './types.js';

export const BROKERS: readonly BrokerAdapter[] = Object.freeze([
  tradesenseAdapter,
  ibkrFlexAdapter,
  ibkrActivityAdapter,
  thinkorswimAdapter,
  tradovateAdapter,
  ninjatraderAdapter,
  webullAdapter,
  tradezeroAdapter,
  tradervueAdapter,
]);

/** Below this, a format is not claimed: the file is answered as unknown rather than misread. */
export const DETECTION_THRESHOLD = 0.5;

/** How many non-empty rows detection looks at. */
export const DETECTION_ROWS = 50;

export function getBroker(id: string): BrokerAdapter | undefined {
  return BROKERS.find((b) => b.id === id);
}

/** The most confident adapter above the threshold; on a tie the one listed first. */
export function detectBroker(rows: string[][]): { adapter: BrokerAdapter; confidence: number } | undefined {
  const sample = rows.slice(0, DETECTION_ROWS);
  let best: { adapter: BrokerAdapter; confidence: number } | undefined;
  for (const adapter of BROKERS) {
    const confidence = adapter.detect(sample);
    if (confidence >= DETECTION_THRESHOLD && (best === undefined || confidence > best.confidence)) best = { adapter, confidence };
  }
  return best;
}
