/**
 * sys/decode-token as Vault's handler runs it (vault/logical_system.go
 * handleGenerateRootDecodeTokenUpdate → sdk/helper/roottoken DecodeToken(encoded, otp, len(otp))):
 * always the modern scheme, RawStd base64 read strictly as Go does (a padded input fails at its
 * first '='), and Go's own error texts, which the handler returns as a plain error (HTTP 500).
 */
import { decodeRawStdBase64 } from '../shared/codecs/base64';
import { err, ok, type Result } from '../shared/result';

const ALPHABET = /[A-Za-z0-9+/]/;

/** Where Go's RawStdEncoding reports a CorruptInputError: the first byte outside the alphabet, or a dangling last byte. */
function corruptAt(input: string): number {
  let significant = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\r' || c === '\n') continue;
    if (!ALPHABET.test(c)) return i;
    significant++;
  }
  return significant % 4 === 1 ? input.length - 1 : -1;
}

export function goDecodeToken(encoded: string, otp: string): Result<string, 'decode-failed'> {
  const bytes = decodeRawStdBase64(encoded);
  if (!bytes.ok) {
    return err(
      'decode-failed',
      `error decoding base64'd token: illegal base64 data at input byte ${corruptAt(encoded)}`,
    );
  }
  const pad = Buffer.from(otp, 'utf8');
  if (bytes.value.length !== pad.length) {
    return err(
      'decode-failed',
      `error xoring token: length of byte slices is not equivalent: ${bytes.value.length} != ${pad.length}`,
    );
  }
  return ok(Buffer.from(bytes.value.map((b, i) => b ^ pad[i]!)).toString('utf8'));
}
