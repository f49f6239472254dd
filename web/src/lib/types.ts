/** The API shapes the app reads (a subset of /api/v1/openapi.json). Money is a decimal string. */

export interface Page<T> {
  data: T[];
  page: { nextCursor: string | null; limit: number };
}

export interface Interval {
  low: number;
  high: number;
}

export interface Confidence {
  level: number;
  method: 'bootstrap' | 'normal';
  resamples: number;
  expectancy: Interval;
  winRate: Interval;
}

export interface Summary {
  tradeCount: number;
  wins: number;
  losses: number;
  winRate: number | null;
  netPnl: string;
  grossPnl: string;
  fees: string;
  profitFactor: number | null;
  expectancy: string | null;
  maxDrawdown: { amount: string };
  confidence: Confidence | null;
}

export interface EquityPoint {
  day: string;
  tradeCount: number;
  pnl: string;
  cumulativePnl: string;
  drawdown: string;
}

export interface CalendarDay {
  date: string;
  pnl: string;
  tradeCount: number;
  wins: number;
  losses: number;
}

export interface Calendar {
  year: number;
  month: number | null;
  days: CalendarDay[];
  total: { pnl: string; tradeCount: number };
}

export interface BreakdownRow {
  key: string | null;
  label: string | null;
  tradeCount: number;
  winRate: number;
  netPnl: string;
  expectancy: string;
  profitFactor: number | null;
}

export interface Tag {
  id: string;
  name: string;
  kind: 'setup' | 'mistake' | 'custom';
  color: string | null;
}

export interface Trade {
  id: string;
  accountId: string;
  symbol: string;
  assetClass: string;
  side: 'long' | 'short';
  status: 'open' | 'closed';
  openedAt: string;
  closedAt: string | null;
  quantity: string;
  avgEntry: string;
  avgExit: string | null;
  grossPnl: string;
  fees: string;
  netPnl: string;
  holdSeconds: number | null;
  currency: string;
  executionCount: number;
  notes: string;
  tags: { id: string; name: string; kind: string }[];
  playbookId: string | null;
  rMultiple: string | null;
  rating: number | null;
}

export interface Execution {
  id: string;
  executedAt: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  commission: string;
  fees: string;
  share: { quantity: string; fees: string; role: 'open' | 'close' };
}

export interface TradeDetail extends Trade {
  executions: Execution[];
  ruleChecks: { ruleId: string; followed: boolean }[];
}

export interface Account {
  id: string;
  name: string;
}

export interface Playbook {
  id: string;
  name: string;
  description: string;
  rules: { id: string; position: number; text: string }[];
  tradeCount: number;
}

export interface RowError {
  line: number;
  column: string | null;
  value: string | null;
  reason: string;
}

export type ImportStatus = 'queued' | 'parsing' | 'writing' | 'done' | 'failed';

export interface ImportSummary {
  id: string;
  status: ImportStatus;
  broker: string | null;
  fileName: string | null;
  progress: { rowsRead: number; bytesRead: number; totalBytes: number };
  counts: { rows: number; executions: number; executionsAdded: number; duplicatesSkipped: number; invalidRows: number; accountsCreated: number };
  failure: { code: string; message: string } | null;
  createdAt: string;
}

export interface ImportDetail extends ImportSummary {
  errors: RowError[];
}

export interface ImportPreview {
  format: { id: string; name: string; detected: boolean };
  timezone: string;
  executions: { line: number; accountRef: string | null; executedAt: string; symbol: string; side: string; quantity: string; price: string }[];
  errors: RowError[];
  linesRead: number;
  complete: boolean;
}
