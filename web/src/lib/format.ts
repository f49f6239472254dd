const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Display only: the API's decimal string stays the value; this renders it with the currency. */
export function money(value: string | null | undefined, currency = 'USD'): string {
  if (value === null || value === undefined) return '—';
  let f = moneyFormats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
    moneyFormats.set(currency, f);
  }
  return f.format(Number(value));
}

export const percent = (ratio: number | null | undefined, digits = 1) => (ratio === null || ratio === undefined ? '—' : `${(ratio * 100).toFixed(digits)}%`);

export const ratio = (value: number | null | undefined) => (value === null || value === undefined ? '—' : value.toFixed(2));

export const signClass = (value: string | number | null | undefined) => {
  const n = Number(value ?? 0);
  return n > 0 ? 'pos' : n < 0 ? 'neg' : '';
};

export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

export const dateTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
