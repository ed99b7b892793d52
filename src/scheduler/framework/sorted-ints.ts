// Node sets kept as ascending Int32Arrays (PreFilterResult narrowing, per-volume node lists).

/** Whether the ascending `sorted` holds `value` (binary search). */
export function sortedHas(sorted: Int32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] as number;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
