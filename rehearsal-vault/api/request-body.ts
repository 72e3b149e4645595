/**
 * Reading request bodies as Vault does. Raw handlers decode JSON into a Go struct: field names
 * match case-insensitively, an empty body is io.EOF (tolerated only where Vault tolerates it),
 * and a wrong type is an unmarshal error. Logical paths take a JSON object (or query
 * parameters) and coerce field types the way Vault's framework does ("true" is a bool,
 * "30m" a duration, "a,b" a list).
 */
import { err, ok, type Result } from '../../shared/result';
import { goDecodeFirstValue } from './go-json-decoder';

export type BodyErrorKind = 'eof' | 'invalid-json';

const PREFIX = 'failed to parse JSON input: ';

type RawFieldType = 'string' | 'bool' | 'int' | 'strings';
type RawValue<T extends RawFieldType> = T extends 'string'
  ? string
  : T extends 'bool'
    ? boolean
    : T extends 'int'
      ? number
      : string[];

/** Parses a raw handler's body into the typed fields of `struct` (a Go struct name, for errors). */
export function parseRawBody<S extends Record<string, RawFieldType>>(
  body: string,
  struct: string,
  fields: S,
): Result<{ [K in keyof S]?: RawValue<S[K]> }, BodyErrorKind> {
  if (body.trim() === '') return err('eof', 'EOF');
  const parsed = jsonObject(body, `http.${struct}`);
  if (!parsed.ok) return parsed;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed.value)) {
    const field = Object.keys(fields).find((f) => f.toLowerCase() === name.toLowerCase());
    if (field === undefined || value === null) continue;
    const want = fields[field]!;
    const fits =
      want === 'string'
        ? typeof value === 'string'
        : want === 'bool'
          ? typeof value === 'boolean'
          : want === 'int'
            ? Number.isInteger(value)
            : Array.isArray(value) && value.every((v) => typeof v === 'string');
    if (!fits) {
      const goWant = { string: 'string', bool: 'bool', int: 'int', strings: '[]string' }[want];
      return err(
        'invalid-json',
        `${PREFIX}json: cannot unmarshal ${goType(value)} into Go struct field ${struct}.${name} of type ${goWant}`,
      );
    }
    out[field] = value;
  }
  return ok(out as { [K in keyof S]?: RawValue<S[K]> });
}

/** A logical request's parameters: the JSON body for writes, the query for reads. */
export function parseLogicalBody(body: string, query: URLSearchParams): Result<LogicalFields, BodyErrorKind> {
  const data: Record<string, unknown> = {};
  for (const [k, v] of query) if (k !== 'help' && k !== 'list') data[k] = v;
  if (body.trim() !== '') {
    const parsed = jsonObject(body, 'map[string]interface {}');
    if (!parsed.ok) return parsed;
    Object.assign(data, parsed.value);
  }
  return ok(new LogicalFields(data));
}

/** A JSON object, or Vault's error for anything else decoded into the Go value `goValueType`. */
function jsonObject(body: string, goValueType: string): Result<object, 'invalid-json'> {
  const decoded = goDecodeFirstValue(body);
  if (!decoded.ok) return err('invalid-json', PREFIX + decoded.error.message);
  const parsed = decoded.value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return err(
      'invalid-json',
      `${PREFIX}json: cannot unmarshal ${goType(parsed)} into Go value of type ${goValueType}`,
    );
  }
  return ok(parsed);
}

export type FieldErrorKind = 'invalid-field';

/** Typed access to logical parameters with Vault's coercions. */
export class LogicalFields {
  constructor(readonly raw: Readonly<Record<string, unknown>>) {}

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  string(name: string, fallback = ''): Result<string, FieldErrorKind> {
    const v = this.raw[name];
    if (v === undefined || v === null) return ok(fallback);
    if (typeof v === 'string') return ok(v);
    if (typeof v === 'number' || typeof v === 'boolean') return ok(String(v));
    return conversionError(name, v, 'string');
  }

  bool(name: string, fallback = false): Result<boolean, FieldErrorKind> {
    const v = this.raw[name];
    if (v === undefined || v === null) return ok(fallback);
    if (typeof v === 'boolean') return ok(v);
    if (typeof v === 'string' && /^(1|t|true)$/i.test(v)) return ok(true);
    if (typeof v === 'string' && /^(0|f|false)$/i.test(v)) return ok(false);
    if (typeof v === 'number' && (v === 0 || v === 1)) return ok(v === 1);
    return conversionError(name, v, 'bool');
  }

  /** Seconds, from a number or a Go-style duration string ("90s", "30m", "8h", "1h30m"). */
  durationSeconds(name: string, fallback: number): Result<number, FieldErrorKind> {
    const v = this.raw[name];
    if (v === undefined || v === null || v === '') return ok(fallback);
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return ok(Math.floor(v));
    if (typeof v === 'string') {
      if (/^\d+$/.test(v)) return ok(Number(v));
      const parts = [...v.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
      if (parts.length > 0 && parts.map((p) => p[0]).join('') === v) {
        const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
        return ok(Math.floor(parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]!]!, 0)));
      }
    }
    return conversionError(name, v, 'duration');
  }

  /** A list from an array or a comma-separated string; undefined when absent. */
  strings(name: string): Result<string[] | undefined, FieldErrorKind> {
    const v = this.raw[name];
    if (v === undefined || v === null) return ok(undefined);
    if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return ok(v);
    if (typeof v === 'string') return ok(v === '' ? [] : v.split(',').map((s) => s.trim()));
    return conversionError(name, v, 'comma-separated string or array of strings');
  }
}

/** Unlike Vault, never echoes the value: it may be a token. */
function conversionError<T>(name: string, value: unknown, type: string): Result<T, FieldErrorKind> {
  return err('invalid-field', `error converting input for field "${name}": got ${goType(value)}, expected ${type}`);
}

function goType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

type Value<R> = R extends { readonly value: infer V } ? V : never;

/** Several field reads at once: the first failure, or every value by name. */
export function allFields<T extends Record<string, Result<unknown, FieldErrorKind>>>(
  reads: T,
): Result<{ [K in keyof T]: Value<T[K]> }, FieldErrorKind> {
  const out: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(reads)) {
    if (!r.ok) return r;
    out[name] = r.value;
  }
  return ok(out as { [K in keyof T]: Value<T[K]> });
}
