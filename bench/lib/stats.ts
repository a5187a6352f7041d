// Percentiles and medians for benchmark figures: these machines are noisy, so
// every bench reports medians over rounds and percentiles over samples.

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
