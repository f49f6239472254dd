import { Link } from 'react-router';

/** What a new user sees instead of empty charts: how to get trades in. */
export function EmptyState() {
  return (
    <section className="card empty" aria-labelledby="empty-title">
      <h1 id="empty-title">Welcome to TradeSense</h1>
      <p>Your journal is empty. Import the executions your broker exported and TradeSense builds your trades, P&L and statistics.</p>
      <ol>
        <li>
          Export your fills or trades as CSV from your broker (IBKR, thinkorswim, Tradovate, NinjaTrader, Webull, TradeZero, Tradervue, or the TradeSense format).
        </li>
        <li>
          Drop the file on the <Link to="/import">Import</Link> page; you see a preview before anything is saved.
        </li>
      </ol>
      <p>
        No file at hand? <a href="/sample-trades.csv" download>Download a sample file</a> and import it.
      </p>
      <Link className="button primary" to="/import">
        Import trades
      </Link>
    </section>
  );
}
