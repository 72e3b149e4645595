/**
 * Arithmetic in GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1 (0x11B), written as Vault's
 * current shamir/shamir.go writes it: a branch-free shift-and-add multiply and the inverse as
 * a^254. Older Vault used log/exp tables with generator 0xe5; it is the same field, so shares
 * from either era combine here.
 */

/** Addition and subtraction are both XOR. */
export function add(a: number, b: number): number {
  return a ^ b;
}

/** Vault's `mult`: r = (-(b>>i&1) & a) ^ (-(r>>7) & 0x1B) ^ (r+r), for i = 7..0, in uint8. */
export function mult(a: number, b: number): number {
  let r = 0;
  for (let i = 7; i >= 0; i--) {
    r = (-((b >> i) & 1) & a) ^ (-(r >> 7) & 0x1b) ^ ((r + r) & 0xff);
  }
  return r & 0xff;
}

/** a^254 = a^-1 by Vault's chain of 11 multiplications; inverse(0) is 0. */
export function inverse(a: number): number {
  let b = mult(a, a); // a^2
  let c = mult(a, b); // a^3
  b = mult(c, c); // a^6
  b = mult(b, b); // a^12
  c = mult(b, c); // a^15
  b = mult(b, b); // a^24
  b = mult(b, b); // a^48
  b = mult(b, c); // a^63
  b = mult(b, b); // a^126
  b = mult(a, b); // a^127
  return mult(b, b); // a^254
}

/** a / b. Dividing by zero is a programmer error (Vault panics). */
export function div(a: number, b: number): number {
  if (b === 0) throw new RangeError('divide by zero in GF(2^8)');
  return a === 0 ? 0 : mult(a, inverse(b));
}
