// Formatting helpers shared by the printers, each the TypeScript twin of the Kubernetes function
// named in its comment, so cells read exactly as kube-apiserver prints them.

import { formatQuantity, tryParseQuantity } from '../../../core/api/quantity.js';
import type { Container, LabelSelector } from '../../../core/api/types.js';

/**
 * duration.HumanDuration: a succinct duration with ~2-3 significant figures ("5s", "3m2s",
 * "2d", "3y12d"). Up to one second in the future reads "0s" (clock skew); further is
 * "<invalid>". `durationMs` may be fractional; Go truncates toward zero, so does this.
 */
export function humanDuration(durationMs: number): string {
  const seconds = Math.trunc(durationMs / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(durationMs / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(durationMs / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Milliseconds of an RFC 3339 timestamp; NaN when absent or unparsable (Go's zero time). */
export function timestampMs(timestamp: string | undefined | null): number {
  return typeof timestamp === 'string' && timestamp !== '' ? Date.parse(timestamp) : Number.NaN;
}

/** translateTimestampSince: the age of a timestamp at `nowMs`, "<unknown>" for a zero time. */
export function translateTimestampSince(timestamp: string | undefined | null, nowMs: number): string {
  const ms = timestampMs(timestamp);
  return Number.isNaN(ms) ? '<unknown>' : humanDuration(nowMs - ms);
}

/** labels.FormatLabels: `k=v` sorted by key, joined by commas; "<none>" when empty. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  if (labels === undefined) return '<none>';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '<none>';
  keys.sort();
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (i > 0) out += ',';
    out += `${k}=${labels[k] ?? ''}`;
  }
  return out;
}

/** Result of metav1.LabelSelectorAsSelector(…).String(); `undefined` when the selector is invalid. */
export function labelSelectorString(selector: LabelSelector | undefined | null): string | undefined {
  if (selector === undefined || selector === null) return ''; // labels.Nothing()
  const requirements: [key: string, text: string][] = [];
  const matchLabels = selector.matchLabels;
  if (matchLabels !== undefined) {
    for (const key of Object.keys(matchLabels)) requirements.push([key, `${key}=${matchLabels[key] ?? ''}`]);
  }
  for (const expr of selector.matchExpressions ?? []) {
    const values = [...(expr.values ?? [])].sort();
    switch (expr.operator) {
      case 'In':
        requirements.push([expr.key, `${expr.key} in (${values.join(',')})`]);
        break;
      case 'NotIn':
        requirements.push([expr.key, `${expr.key} notin (${values.join(',')})`]);
        break;
      case 'Exists':
        requirements.push([expr.key, expr.key]);
        break;
      case 'DoesNotExist':
        requirements.push([expr.key, `!${expr.key}`]);
        break;
      default:
        return undefined; // "is not a valid label selector operator"
    }
  }
  // internalSelector keeps requirements sorted by key.
  requirements.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return requirements.map((r) => r[1]).join(',');
}

/** metav1.FormatLabelSelector: the selector string, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** layoutContainerCells: container names and images, each joined by commas. */
export function layoutContainerCells(containers: readonly Container[] | undefined): [names: string, images: string] {
  if (containers === undefined || containers.length === 0) return ['', ''];
  let names = '';
  let images = '';
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i] as Container;
    if (i > 0) {
      names += ',';
      images += ',';
    }
    names += c.name;
    images += c.image ?? '';
  }
  return [names, images];
}

/** helper.GetAccessModesAsString: modes present, always in the order RWO,ROX,RWX,RWOP. */
export function accessModesString(modes: readonly string[] | undefined): string {
  if (modes === undefined || modes.length === 0) return '';
  const out: string[] = [];
  if (modes.includes('ReadWriteOnce')) out.push('RWO');
  if (modes.includes('ReadOnlyMany')) out.push('ROX');
  if (modes.includes('ReadWriteMany')) out.push('RWX');
  if (modes.includes('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** Quantity.String() of a stored quantity; Go's zero Quantity prints "0". */
export function quantityString(value: unknown): string {
  if (value === undefined || value === null) return '0';
  const q = tryParseQuantity(value);
  if (q !== undefined) return formatQuantity(q);
  return typeof value === 'string' ? value : String(value);
}

/** IntOrString.String(): the number in decimal, or the string as is. */
export function intOrString(value: number | string): string {
  return typeof value === 'number' ? String(value) : value;
}

/**
 * A list of at most `max` entries joined by commas, with " + N more..." when some were left out,
 * or "<unset>" when empty (listWithMoreString).
 */
export function listWithMore(list: readonly string[], total: number, max: number): string {
  const text = list.join(',');
  if (total > max) return `${text} + ${total - max} more...`;
  return text === '' ? '<unset>' : text;
}

/** net.JoinHostPort: IPv6 hosts are bracketed. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
