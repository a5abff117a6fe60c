/**
 * Key paths as etcd's store sees them: `a` is `/a`, and a key is cleaned like Go's
 * `path.Clean(path.Join("/", key))` — duplicate slashes, `.` and `..` are resolved and a
 * trailing slash is dropped. Whether a request with such a key is answered with a redirect
 * is the HTTP layer's decision; the store only ever sees cleaned keys.
 */
export function cleanKey(key: string): string {
  if (isClean(key)) return key;
  const segments: string[] = [];
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

// Most keys are already clean; checking is cheaper than rebuilding them.
function isClean(key: string): boolean {
  if (key.charCodeAt(0) !== 47) return false;
  if (key.length === 1) return true;
  if (key.charCodeAt(key.length - 1) === 47) return false;
  return !(key.includes('//') || key.includes('/./') || key.includes('/../') || /\/\.\.?$/.test(key));
}

/** The segments of a clean key: `/a/b` → `['a', 'b']`, `/` → `[]`. */
export function keySegments(cleanedKey: string): string[] {
  return cleanedKey === '/' ? [] : cleanedKey.slice(1).split('/');
}

export function joinKey(parentKey: string, name: string): string {
  return parentKey === '/' ? `/${name}` : `${parentKey}/${name}`;
}

/** Hidden nodes (name starting with `_`) are left out of listings but stay readable. */
export function isHiddenName(name: string): boolean {
  return name.charCodeAt(0) === 95;
}

/** True when `key` is `ancestorKey` or lies below it. */
export function isSameOrBelow(key: string, ancestorKey: string): boolean {
  if (ancestorKey === '/') return true;
  return key === ancestorKey || (key.startsWith(ancestorKey) && key.charCodeAt(ancestorKey.length) === 47);
}

/** The name of the in-order key created at `index`: the index zero-padded to 20 digits. */
export function inOrderName(index: number): string {
  return String(index).padStart(20, '0');
}

/**
 * Go sorts keys by their UTF-8 bytes; JavaScript compares UTF-16 code units. The two agree
 * except that surrogate pairs (code points above U+FFFF) sort after U+E000..U+FFFF in UTF-8.
 */
export function compareKeys(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let position = 0; position < length; position++) {
    const leftUnit = left.charCodeAt(position);
    const rightUnit = right.charCodeAt(position);
    if (leftUnit === rightUnit) continue;
    return utf8Rank(leftUnit) - utf8Rank(rightUnit);
  }
  return left.length - right.length;
}

function utf8Rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
