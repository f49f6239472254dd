import { BaselineSeries, ColorType, HistogramSeries, createChart } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { money } from '../lib/format';
import type { EquityPoint } from '../lib/types';

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** Cumulative net P&L by day, with the drawdown below it in its own pane. */
export default function EquityChart({ points }: { points: EquityPoint[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = createChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: css('--muted'), attributionLogo: false },
      grid: { vertLines: { color: css('--grid') }, horzLines: { color: css('--grid') } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false },
    });
    const equity = chart.addSeries(BaselineSeries, {
      baseValue: { type: 'price', price: 0 },
      topLineColor: css('--pos'),
      bottomLineColor: css('--neg'),
      topFillColor1: 'transparent',
      topFillColor2: 'transparent',
      bottomFillColor1: 'transparent',
      bottomFillColor2: 'transparent',
      lineWidth: 2,
    });
    equity.setData(points.map((p) => ({ time: p.day, value: Number(p.cumulativePnl) })));
    const drawdown = chart.addSeries(HistogramSeries, { color: css('--neg') }, 1);
    drawdown.setData(points.map((p) => ({ time: p.day, value: -Number(p.drawdown) })));
    chart.panes()[1]?.setHeight(90);
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [points]);
  const last = points.at(-1);
  return (
    <figure className="chart-figure">
      <div ref={ref} className="chart" role="img" aria-label={`Equity curve over ${points.length} days${last ? `, ending at ${money(last.cumulativePnl)}` : ''}; drawdown below`} />
    </figure>
  );
}
