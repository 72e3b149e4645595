/**
 * Reads a signed transcript that is in its one canonical spelling (see ./signing.ts) without
 * openpgp.js's cleartext parser, which spends about half a second on a 10,000-event transcript
 * reading it line by line and writing its armor again for the comparison.
 *
 * A canonical document is exactly
 *   -----BEGIN PGP SIGNED MESSAGE-----\nHash: <the packets' hash names>\n\n
 *   <the text, lines starting with '-' escaped as '- -'>\n
 *   <the armored signature packets, as openpgp.js writes them>
 * with a text that openpgp.js would not normalise (no CR, no line ending in a space or tab). That
 * is checked here with string operations, and only the small signature block goes through
 * openpgp.js. Anything else, invalid or merely unusual (v6 signatures, say), is handed to
 * readSignedTranscript, which then gives its own verdict and message (unless it has more lines
 * than it can read in time): this reader accepts a document only where readSignedTranscript
 * accepts it too, with the same text and packets.
 */
import * as openpgp from 'openpgp';
import { err, ok, type Result } from '../../../shared/result';
import { decodeUtf8 } from '../pgp/public-keys';
import { readSignedTranscript, signatureOf } from './signing';
import { changedByCleartext } from './text-digest';

type Read = Awaited<ReturnType<typeof readSignedTranscript>>;
type Document = { text: string; signatures: openpgp.SignaturePacket[] };
/** A document read from its file, with the UTF-8 bytes of its text. */
export type TranscriptFile = Document & { textBytes: Uint8Array };

const BEGIN = '-----BEGIN PGP SIGNED MESSAGE-----\n';
const SIGNATURE = '\n-----BEGIN PGP SIGNATURE-----\n';

/** readSignedTranscript's result, quickly for a canonical document. */
export async function readCanonicalTranscript(armored: string): Promise<Read> {
  const document = await canonicalDocument(armored);
  return document ? ok(document) : readOtherTranscript(armored);
}

/**
 * Lines of a document that is not canonical that readSignedTranscript reads: three times the
 * 100,000 of a 10,000-event transcript, as the bundle files' caps allow (./bundle-layout.ts).
 * openpgp.js reads a cleartext line by line, about 2.5 µs a line on a busy 2-core laptop: the 16
 * million empty lines a file under the cap can hold kept verify for 40 s.
 */
const MAX_NON_CANONICAL_LINES = 300_000;

/** readSignedTranscript's verdict on a document that is not canonical, unless it is too long to read. */
async function readOtherTranscript(armored: string): Promise<Read> {
  let lines = 0;
  for (let at = armored.indexOf('\n'); at >= 0; at = armored.indexOf('\n', at + 1))
    if (++lines > MAX_NON_CANONICAL_LINES)
      return err(
        'not-canonical',
        `the signed document is not in its one canonical spelling, and at over ${MAX_NON_CANONICAL_LINES.toLocaleString('en-US')} lines it is too long to be read line by line: it was changed where signatures do not reach, or was not written by vault-ceremony`,
      );
  return readSignedTranscript(armored);
}

/**
 * readCanonicalTranscript's result for a file's bytes, with the text's UTF-8 bytes; undefined when
 * the bytes are not UTF-8. Where no line of the text is dash-escaped, its bytes are the file's own,
 * taken without a copy (encoding the text again cost ~3 ms and 4 MB on a 10,000-event transcript):
 * they end where the signature block begins, which is ASCII, one byte a character. (Counted from
 * the end, as the start is not the header's length where decodeUtf8 dropped a byte order mark.)
 */
export async function readTranscriptFile(
  bytes: Uint8Array,
): Promise<Result<TranscriptFile, 'not-a-transcript' | 'not-canonical'> | undefined> {
  const armored = decodeUtf8(bytes);
  if (armored === undefined) return undefined;
  const parts = await canonicalParts(armored);
  const document = parts ? ok(parts) : await readOtherTranscript(armored);
  if (!document.ok) return document;
  const { text, signatures } = document.value;
  const at = parts?.unescapedAt;
  if (at === undefined) return ok({ text, signatures, textBytes: Buffer.from(text, 'utf8') });
  const end = bytes.length - (armored.length - at - text.length);
  return ok({ text, signatures, textBytes: bytes.subarray(end - Buffer.byteLength(text, 'utf8'), end) });
}

/** The text and signature packets of a canonical document; undefined for anything else. */
export async function canonicalDocument(armored: string): Promise<Document | undefined> {
  const parts = await canonicalParts(armored);
  return parts && { text: parts.text, signatures: parts.signatures };
}

/** canonicalDocument's, and where the text stands in `armored` when no line of it is escaped. */
async function canonicalParts(armored: string): Promise<(Document & { unescapedAt: number | undefined }) | undefined> {
  if (!armored.startsWith(BEGIN)) return undefined;
  const headerEnd = armored.indexOf('\n\n', BEGIN.length);
  // Found from the end, where the short signature block is (from the start, through a 4 MB text:
  // ~0.5 ms). A document holding the line twice is not canonical whichever of them splits it.
  const split = armored.lastIndexOf(SIGNATURE);
  if (headerEnd < 0 || split <= headerEnd) return undefined;
  const escaped = armored.slice(headerEnd + 2, split);
  const hasDashLines = escaped.startsWith('-') || escaped.includes('\n-');
  const text = hasDashLines ? escaped.replace(/^- /gm, '') : escaped;
  if (changedByCleartext(text)) return undefined;
  if (hasDashLines && text.replace(/^-/gm, '- -') !== escaped) return undefined;

  const block = armored.slice(split + 1);
  let signatures: openpgp.SignaturePacket[];
  try {
    signatures = [...(await openpgp.readSignature({ armoredSignature: block })).packets] as openpgp.SignaturePacket[];
  } catch {
    return undefined;
  }
  if (signatures.length === 0 || !signatures.every((p) => p instanceof openpgp.SignaturePacket && p.version === 4))
    return undefined;
  const names = signatures.map((p) => hashName(p.hashAlgorithm));
  if (names.includes(undefined)) return undefined;
  const hashes = [...new Set(names.map((name) => name!.toUpperCase()))].join();
  if (armored.slice(BEGIN.length, headerEnd + 2) !== `Hash: ${hashes}\n\n`) return undefined;
  if (signatureOf(signatures).armor() !== block) return undefined;
  return { text, signatures, unescapedAt: hasDashLines ? undefined : headerEnd + 2 };
}

function hashName(algorithm: openpgp.enums.hash | null): string | undefined {
  try {
    return algorithm === null ? undefined : openpgp.enums.read(openpgp.enums.hash, algorithm);
  } catch {
    return undefined; // an unknown algorithm id
  }
}
