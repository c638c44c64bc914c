// Number formatting shared by the harness's console table, its markdown report and `granite bench`:
// ops/s as 1.08M / 406k, bytes as MiB/GiB, latencies in µs with three significant digits, ratios as 1.23x.

export function fmtRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e7 ? 1 : 2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(x >= 1e5 ? 0 : x >= 1e4 ? 1 : 2)}k`;
  return x.toFixed(0);
}

export function fmtBytes(x: number | undefined): string {
  if (x === undefined) return '–';
  const mib = x / 2 ** 20;
  return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(mib >= 100 ? 0 : 1)} MiB`;
}

export function fmtUs(x: number | undefined): string {
  if (x === undefined) return '–';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function fmtRatio(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}x`;
}

export function fmtNum(x: number | undefined, digits = 1): string {
  return x === undefined ? '–' : x.toFixed(digits);
}
