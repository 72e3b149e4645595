/**
 * Compares two JSON values by shape: the same fields, each of the same JSON type, recursively.
 * Values never matter, so a simulator answer can be held to a sample Vault published.
 */
export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  if (t === 'boolean' || t === 'number' || t === 'string' || t === 'object') return t;
  throw new Error(`not a JSON value: ${t}`);
}

/**
 * Every way `actual` differs in shape from `sample`: a field missing, a field of another JSON type,
 * or a field the sample does not have (unless its path is in `extraAllowed`, e.g. `wrap_info.accessor`).
 * Arrays: each element of `actual` against the sample's first element; an empty array where the
 * sample has entries is a difference too, since nothing would then be compared.
 */
export function shapeDifferences(
  sample: unknown,
  actual: unknown,
  extraAllowed: ReadonlySet<string> = new Set(),
): string[] {
  const out: string[] = [];
  const walk = (s: unknown, a: unknown, path: string) => {
    const st = jsonType(s);
    const at = jsonType(a);
    if (st !== at) {
      out.push(`${path || '(body)'}: Vault sends ${st}, got ${at} (${JSON.stringify(a)})`);
      return;
    }
    if (st === 'array') {
      const [first] = s as unknown[];
      const items = a as unknown[];
      if (first === undefined) return;
      if (items.length === 0) out.push(`${path}: empty, while Vault's sample has entries to compare`);
      items.forEach((item, i) => walk(first, item, `${path}[${i}]`));
      return;
    }
    if (st !== 'object') return;
    const so = s as Record<string, unknown>;
    const ao = a as Record<string, unknown>;
    for (const key of Object.keys(so)) {
      const p = path ? `${path}.${key}` : key;
      if (!(key in ao)) out.push(`${p}: missing`);
      else walk(so[key], ao[key], p);
    }
    for (const key of Object.keys(ao)) {
      const p = path ? `${path}.${key}` : key;
      if (!(key in so) && !extraAllowed.has(p.replace(/\[\d+\]/g, '[]'))) out.push(`${p}: not in Vault's sample`);
    }
  };
  walk(sample, actual, '');
  return out;
}
