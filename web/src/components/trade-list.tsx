import { Link } from 'react-router';
import { money, signClass } from '../lib/format';
import type { Trade } from '../lib/types';

/** A short table of trades (symbol linking to the trade, side, net P&L): a day's trades on the dashboard and in the journal. */
export function TradeList({ trades }: { trades: Trade[] }) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Symbol</th>
          <th scope="col">Side</th>
          <th scope="col" className="num">
            Net P&L
          </th>
        </tr>
      </thead>
      <tbody>
        {trades.map((t) => (
          <tr key={t.id}>
            <td>
              <Link to={`/trades/${t.id}`}>{t.symbol}</Link>
            </td>
            <td>{t.side}</td>
            <td className={`num ${signClass(t.netPnl)}`}>{money(t.netPnl, t.currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
