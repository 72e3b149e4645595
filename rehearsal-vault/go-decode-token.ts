/**
 * sys/decode-token as Vault's handler runs it (vault/logical_system.go
 * handleGenerateRootDecodeTokenUpdate → sdk/helper/roottoken DecodeToken(encoded, otp, len(otp))):
 * always the modern scheme, RawStd base64 read strictly as Go does (a padded input fails at its
 * first '='), and Go's own error texts, which the handler returns as a plain error (HTTP 500).
 */
import { decodeRawStdBase64 } from '../shared/codecs/base64';
import { err, ok, type Result } from '../shared/result';

export function goDecodeToken(encoded: string, otp: string): Result<string, 'decode-failed'> {
  const bytes = decodeRawStdBase64(encoded);
  if (!bytes.ok) {
    return err('decode-failed', `error decoding base64'd token: illegal base64 data at input byte ${bytes.offset}`);
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
