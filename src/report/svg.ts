/** Escapes text for XML/HTML content and attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Formats a number for people: `digits` significant digits, no exponent for ordinary
 * magnitudes, thousands separated by a thin space-free comma.
 */
export function formatNumber(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(v)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Rounds to pixels with one decimal, for SVG coordinates. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}
