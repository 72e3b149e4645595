/** `vault-ceremony verify DIR [--keyring FILE …] [--fingerprints FILE]`: the auditor's offline check of a bundle. */
import { groupFingerprint } from '../../shared/ceremony/ceremony-steps';
import { keyringNames } from '../../shared/record/keyring-names';
import { summariseProblems, unshownLine } from '../../shared/record/problem-summary';
import { visibleText } from '../../shared/record/visible-text';
import { readAnchors } from '../../electron/services/transcript/anchors';
import { readBundle, verifyBundleContents, type BundleReport } from '../../electron/services/transcript/verify';
import { parseCommandLine, usageError, type CommandUsage } from '../command-line';
import { folderArgument } from '../folder-argument';
import { EXIT_FAILED, EXIT_OK, type Command } from '../io';

/** Consistent, but nothing the auditor supplied says the signers are who the journal names. */
export const EXIT_UNANCHORED = 3;

const USAGE = `usage: vault-ceremony verify DIR [--keyring FILE ...] [--fingerprints FILE]

Checks a transcript bundle (DIR/transcript.txt.asc, transcript.txt, transcript.txt.sig,
journal.jsonl, signers/*.pub.asc): every signature, the journal's hash chain, that the signed
transcript is exactly the one the journal renders, and that the signers are exactly the people the
journal's plan names (the administrator, then every witness in the plan's order; nobody else),
matched by key fingerprint and named from the journal, never from file names.
  --keyring FILE       public keys you trust (armored or binary, e.g. from gpg --export; repeatable)
  --fingerprints FILE  fingerprints you trust, one 40-hex-digit fingerprint a line (spaces allowed)
Exit 0: all of that holds and every signer's key is in your keyrings or on your list.
Exit 3: all of that holds, but you gave no keyring or list, so the bundle vouches only for itself:
        compare the printed fingerprints with ones you obtained independently.
Exit 1: anything fails (a signer not covered by your keyrings or list included), with the reasons.
Exit 2: usage errors.
Under the verdict, whatever it is, WARNING lines name what does not change it but you must check:
files in DIR that no signature covers (not signed, not checked: rely on none of them), and times
the ceremony laptop's clock wrote that are odd (see docs/AUDITOR-GUIDE.md).
`;

const COMMAND: CommandUsage = { name: 'verify', usage: USAGE };

export const verifyCommand: Command = async (argv, io) => {
  const parsed = parseCommandLine(
    argv,
    io,
    COMMAND,
    { keyring: { type: 'string', multiple: true }, fingerprints: { type: 'string' } },
    { allowPositionals: true },
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [given, ...extra] = positionals;
  if (extra.length > 0) return usageError(io, COMMAND, `one bundle folder at a time (${extra.length} more given)`);
  const folder = await folderArgument(given, 'the bundle folder DIR');
  if (!folder.ok) return usageError(io, COMMAND, folder.error.message);
  const dir = folder.value;

  // The bundle's files are read while the auditor's keyrings are parsed (readBundle never rejects).
  const contents = readBundle(dir);
  const anchors = await readAnchors(dir, values.keyring ?? [], values.fingerprints);
  if (!anchors.ok) return usageError(io, COMMAND, visibleText(anchors.error.message));
  const report = await verifyBundleContents(await contents, anchors.value ? { anchors: anchors.value } : {});
  io.stdout(describe(dir, report));
  if (report.verdict === 'anchored') return EXIT_OK;
  if (report.verdict === 'unanchored') return EXIT_UNANCHORED;
  const { shown, unshown } = summariseProblems(report.problems);
  const lines = [...shown.map((p) => visibleText(p.message)), ...unshown.map(unshownLine)];
  io.stderr(`vault-ceremony verify: FAILED\n${lines.map((line) => `  - ${line}\n`).join('')}`);
  return EXIT_FAILED;
};

function describe(dir: string, report: BundleReport): string {
  const lines = [`bundle:      ${visibleText(dir)}`];
  if (report.ceremonyId !== undefined) {
    lines.push(
      `ceremony:    ${visibleText(JSON.stringify(report.ceremonyId))}${report.rehearsal ? ' (REHEARSAL)' : ''}`,
    );
    lines.push(`journal:     ${report.events} events, hash chain intact, head ${report.head}`);
    lines.push(`outcome:     ${report.outcome === undefined ? 'not stated' : visibleText(report.outcome)}`);
  }
  if (report.signers.length > 0) {
    lines.push("signers:     as the journal's plan names them, in signing order");
    for (const s of report.signers)
      lines.push(
        `  ${s.anchored ? 'anchored  ' : 'UNANCHORED'}  ${s.role.padEnd(13)} ${visibleText(s.name).padEnd(16)} ${groupFingerprint(s.fingerprint)}`,
        ...keyringLines(s),
      );
  }
  lines.push(`signatures:  ${report.signatures.length}`);
  for (const s of report.signatures)
    lines.push(
      `  ${s.good ? 'good' : 'BAD '}  ${visibleText(s.signer).padEnd(16)} ${s.fingerprint}  signed ${s.created}`,
      ...sinceLines(s.since),
    );
  lines.push(...authorisationLines(report));
  lines.push(...verdictLines(report));
  lines.push(...warningLines(report));
  return lines.join('\n') + '\n';
}

/**
 * What does not change the verdict but must not be missed: last on stdout, right under the
 * verdict, whatever it is (entries no signature covers, times that are odd).
 */
function warningLines(report: BundleReport): string[] {
  const { shown, unshown } = summariseProblems(report.warnings);
  return [
    ...shown.map((w) => `WARNING: ${visibleText(w.message)}`),
    ...unshown.map((more) => `WARNING: ${unshownLine(more)}`),
  ];
}

/**
 * Whom the auditor's keyrings know a signer's key as: the name beside it is the plan's, which the
 * signers wrote, and a keyring of many people's keys anchors any of them under any name.
 */
function keyringLines(signer: BundleReport['signers'][number]): string[] {
  if (signer.keyringUserIds.length === 0) return [];
  const { shown, more } = keyringNames(signer.keyringUserIds);
  const names = shown.map((id) => visibleText(JSON.stringify(id))).join(', ');
  return [`                your keyring names this key ${names}${more > 0 ? ` and ${more} more` : ''}`];
}

/**
 * Each signed authorisation checked (what cannot be undone: promote, demote, update-primary, a
 * destructive operation, abort, waive): good or BAD, the step, who signed, whether their key is
 * anchored by what the auditor gave, and the action the statement names, reason included.
 */
function authorisationLines(report: BundleReport): string[] {
  const anchored = new Set(report.signers.filter((s) => s.anchored).map((s) => s.fingerprint));
  return [
    `authorisations: ${report.authorisations.length} signed, each checked against the named person's key`,
    ...report.authorisations.flatMap((a) => [
      `  ${a.good ? 'good' : 'BAD '}  ${anchored.has(a.fingerprint) ? 'anchored  ' : 'UNANCHORED'}  ${visibleText(a.step).padEnd(22)} ${a.role.padEnd(13)} ${visibleText(a.signer).padEnd(16)} ${visibleText(a.action)}`,
      ...sinceLines(a.since),
    ]),
  ];
}

/** What became of a good signature's key since it signed: the signature stands, and the auditor is told. */
function sinceLines(since: readonly string[]): string[] {
  return since.map((note) => `        since: ${visibleText(note)}`);
}

function verdictLines(report: BundleReport): string[] {
  switch (report.verdict) {
    case 'anchored':
      return [
        'VERIFIED: every signature, the hash chain and the transcript hold, and every signer is anchored by your keys',
        "The names are the journal's, which the signers wrote: check that each key is that person's (your keyring's",
        'names for it are shown beside it).',
      ];
    case 'unanchored':
      return [
        'CONSISTENT BUT UNANCHORED: the bundle is intact, but it vouches only for itself (a forger could make',
        'such a bundle with their own keys). Compare each fingerprint above with one you obtained from that',
        'person independently, then run again with --keyring KEYS or --fingerprints FILE.',
      ];
    case 'failed':
      return ['NOT VERIFIED'];
  }
}
