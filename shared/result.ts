/**
 * Errors are values: every fallible operation returns a Result whose error names a
 * kind (for code to branch on) and a message a person can act on. Each module
 * declares its own union of kinds, so callers can switch exhaustively.
 */
export interface AppError<K extends string = string> {
  readonly kind: K;
  readonly message: string;
}

export type Result<T, K extends string = string> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError<K> };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<K extends string>(kind: K, message: string): { readonly ok: false; readonly error: AppError<K> } {
  return { ok: false, error: { kind, message } };
}

/** For exhaustive switches: the compiler proves this is unreachable. */
export function unreachable(value: never): never {
  throw new TypeError(`unhandled case: ${JSON.stringify(value)}`);
}
