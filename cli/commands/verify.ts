/** `vault-ceremony verify DIR [--keyring FILE …]`: the auditor's offline check of a transcript bundle. */
import { stat } from 'node:fs/promises';
import {
  readKeyrings,
  verifyBundle,
  type BundleReport,
  type TrustedKey,
} from '../../electron/services/transcript/verify';
import { parseCommandLine, usageError, type CommandUsage } from '../command-line';
import { EXIT_FAILED, EXIT_OK, type Command } from '../io';

const USAGE = `usage: vault-ceremony verify DIR [--keyring FILE ...]

Checks a transcript bundle (DIR/transcript.txt.asc, DIR/journal.jsonl, DIR/signers/*.pub.asc):
every signature, the journal's hash chain, and that the signed transcript is exactly the one the
journal renders (so it states the journal's event count and head hash). Exit 0 when all hold,
1 with the reasons otherwise, 2 for usage errors.
  --keyring FILE   trust only the public keys in FILE (armored or binary; repeatable). Without it,
                   the bundle's own signers/*.pub.asc are used, which proves integrity but not
                   who signed: compare the fingerprints printed below with ones you trust.
`;

const COMMAND: CommandUsage = { name: 'verify', usage: USAGE };

export const verifyCommand: Command = async (argv, io) => {
  const parsed = parseCommandLine(
    argv,
    io,
    COMMAND,
    { keyring: { type: 'string', multiple: true } },
    { allowPositionals: true },
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [dir, ...extra] = positionals;
  if (dir === undefined) return usageError(io, COMMAND, 'give the bundle folder DIR');
  if (extra.length > 0) return usageError(io, COMMAND, `one bundle folder at a time (also got: ${extra.join(' ')})`);
  if (
    !(await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    return usageError(io, COMMAND, `${dir} is not a folder`);

  let trusted: TrustedKey[] | undefined;
  if (values.keyring) {
    const keys = await readKeyrings(values.keyring);
    if (!keys.ok) return usageError(io, COMMAND, keys.error.message);
    trusted = keys.value;
  }
  const report = await verifyBundle(dir, trusted ? { trusted } : {});
  io.stdout(describe(dir, report, trusted !== undefined));
  if (report.valid) return EXIT_OK;
  io.stderr(`vault-ceremony verify: FAILED\n${report.problems.map((p) => `  - ${p.message}\n`).join('')}`);
  return EXIT_FAILED;
};

function describe(dir: string, report: BundleReport, keyring: boolean): string {
  const lines = [`bundle:      ${dir}`];
  if (report.ceremonyId !== undefined) {
    lines.push(`ceremony:    ${JSON.stringify(report.ceremonyId)}${report.rehearsal ? ' (REHEARSAL)' : ''}`);
    lines.push(`journal:     ${report.events} events, hash chain intact, head ${report.head}`);
  }
  lines.push(
    `signatures:  ${report.signatures.length}, checked against ${keyring ? 'the given keyrings' : "the bundle's signers/*.pub.asc"}`,
  );
  for (const s of report.signatures)
    lines.push(
      `  ${s.good ? 'good' : 'BAD '}  ${printable(s.signer).padEnd(16)} ${s.fingerprint}  signed ${s.created}` +
        (Date.parse(s.created) > Date.now() ? ' (in the future: the signing clock was ahead)' : ''),
    );
  lines.push(
    report.valid
      ? "verified: every signature, the hash chain and the transcript's statement of the journal hold"
      : 'NOT VERIFIED',
  );
  return lines.join('\n') + '\n';
}

/** Keyring user IDs are outside text: no terminal control sequences reach the auditor's screen. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}
