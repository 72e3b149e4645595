/**
 * `vault-ceremony rehearse --out DIR [--kind promotion|failback] [--officers N] [--threshold T]
 *   [--nodes 1|3|5] [--cluster D/cluster.json [--resume] [--officer-passphrase-file F]] [--pace MS]`
 *
 * A complete DR promotion (or failback) ceremony, headless, against a rehearsal Vault: in this
 * process by default, or one `vault-ceremony rehearsal-vault --dir D` runs. Every role is played
 * (roll call, acknowledgements, officers' PGP shares decrypted with openpgp.js, or with gpg for the
 * people a `--cast` file keeps in a GnuPG home or on a smartcard, signatures), then
 * the bundle is written to DIR and verified. Exit 0 only if the DR secondary ended as primary (or,
 * failing back, the old primary ended following the new one) and the bundle verifies; 1 when the
 * ceremony or the bundle failed; 2 for usage errors. Never prints a secret.
 */
import { readCastFile, type CastPeople } from '../../electron/services/rehearsal/cast-file';
import { rehearsalPassphrase } from '../../electron/services/rehearsal/rehearsal-cast';
import {
  rehearsalDone,
  rehearsalSucceeded,
  runRehearsal,
  type RehearsalRunOptions,
} from '../../electron/services/rehearsal/headless-rehearsal';
import type { RehearsalKind } from '../../electron/services/rehearsal/rehearsal-ceremony';
import { parseCommandLine, usageError, wholeNumber, type CommandUsage } from '../command-line';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from '../io';
import { otpLengthOption } from '../otp-length-option';
import { readPassphraseFile } from '../passphrase';
import type { OtpLength } from '../../rehearsal-vault/token-store';

/** As the brief's benchmark and rehearsal-vault: five officers, three shares needed. */
const DEFAULT_OFFICERS = 5;

const USAGE = `usage: vault-ceremony rehearse --out DIR [--kind promotion|failback] [--officers N] [--threshold T]
         [--vault-version 1|2] [--otp-length 28|26|0] [--nodes 1|3|5] [--pace MS]
       vault-ceremony rehearse --out DIR [--kind promotion|failback] --cluster D/cluster.json [--resume]
         [--officer-passphrase-file F] [--pace MS]
       vault-ceremony rehearse --out DIR [--kind promotion|failback] --cluster D/cluster.json --cast CAST.json
         [--resume] [--pace MS]

Runs a complete REHEARSAL of the DR promotion ceremony, every role played headless: roll call,
checks, the OTP and attempt, each officer's PGP-encrypted share decrypted and entered, the token
decoded locally, promotion, post-check, token deletion, then the administrator's signature and
each witness's countersignature. Writes the bundle (DIR/transcript.txt.asc, DIR/journal.jsonl,
DIR/signers/*.pub.asc, DIR/transcript.txt, DIR/transcript.txt.sig) and verifies it. The working
journal and plan (DIR/ceremony/) are kept while the run needs them (for --resume, or to examine a
failed run) and removed once it succeeds, so DIR holds the bundle alone; unless the working journal
holds what no signature covers (a key refused while people signed): then it is kept, and the run
says why.
Exit 0 only if the DR secondary ended as primary and the bundle verifies.
  --out DIR        a new or empty folder (with --resume: the folder of the ceremony to continue)
  --kind failback  rehearse the failback instead, as its own journaled, signed ceremony: first the
                   scene is set (the primary lost, the DR secondary promoted by a rehearsed promotion
                   whose bundle goes to DIR/promotion/, the old primary back as a primary), then the old
                   primary is demoted, a DR operation token generated on it from the officers' shares,
                   and update-primary points it at the new primary with a secondary activation token;
                   post-check, token deletion, signatures. Exit 0 only if the old primary ends as a DR
                   secondary connected to the new primary and the bundle verifies. (default: promotion)
  --officers N     officers holding shares, for the in-process rehearsal Vault (default ${DEFAULT_OFFICERS})
  --threshold T    shares needed, for the in-process rehearsal Vault (default 3, or every share with fewer officers)
  --vault-version 1|2   the in-process rehearsal Vault's version (default 1); on 2 the administrator also
                   enters the primary's root token, which generating the DR operation token needs
  --otp-length 28|26|0   the in-process rehearsal Vault's otp_length: 28 (hvs. tokens, default), 26 (s.
                   tokens), 0 (a server before 0.11: no otp_length, 24-character base64 OTPs, UUID tokens)
  --nodes 1|3|5    nodes per cluster of the in-process rehearsal Vault (default 1): one active node and
                   standbys on their own loopback addresses; the ceremony finds the active node through
                   sys/leader and records which node each attempt was started on
  --cluster FILE   use the rehearsal Vault 'vault-ceremony rehearsal-vault --dir D' runs (D/cluster.json)
                   and its officers' keys; the signers' rehearsal keys are kept in D/rehearsal-signers/
  --resume         continue the interrupted or failed ceremony whose journal is in DIR/ceremony/
                   (needs --cluster): the interruption is recorded and the ceremony goes on where the
                   machine says
  --officer-passphrase-file F   the passphrase rehearsal-vault's --passphrase-file gave officer keys
  --cast CAST.json the people and their own keys instead of generated ones (needs --cluster):
                   {"administrator":P,"witnesses":[P,…],"officers":[P,…]},
                   P = {"name":"…","fingerprint":"40 hex","key":K}, K = {"gpg":{"homedir":"H","pin_file":"F"}}
                   (the key in GnuPG home H, possibly on a smartcard; its PIN or passphrase on F's first
                   line, handed to gpg through a pipe) or {"openpgp":{"private_key_file":"F","passphrase_file":"F"|null}};
                   paths relative to CAST.json; officers' shares are the cluster's shares/NAME.b64
  --pace MS        wait MS milliseconds before each person's step, to follow along (default 0)
`;

const COMMAND: CommandUsage = { name: 'rehearse', usage: USAGE };

export const rehearseCommand: Command = async (argv, io) => {
  const parsed = await parseOptions(argv, io);
  if (typeof parsed === 'number') return parsed;

  const target: RehearsalRunOptions['target'] =
    parsed.cluster === undefined
      ? // Officers' keys get a passphrase, so the rehearsal unlocks them as on the day.
        {
          kind: 'start',
          options: {
            officers: parsed.officers,
            vaultVersion: parsed.vaultVersion,
            ...(parsed.nodes !== undefined ? { nodes: parsed.nodes } : {}),
            ...(parsed.otpLength !== undefined ? { otpLength: parsed.otpLength } : {}),
            ...(parsed.threshold ? { threshold: parsed.threshold } : {}),
            passphrase: rehearsalPassphrase(),
          },
        }
      : {
          kind: 'external',
          clusterJson: parsed.cluster,
          ...(parsed.officerPassphrase ? { officerPassphrase: parsed.officerPassphrase } : {}),
          ...(parsed.cast ? { castOfficers: parsed.cast.officers } : {}),
        };

  const result = await runRehearsal({
    out: parsed.out,
    kind: parsed.kind,
    target,
    resume: parsed.resume,
    ...(parsed.cast ? { signers: parsed.cast } : {}),
    log: (line) => io.stdout(`${line}\n`),
    ...(parsed.pace ? { pace: parsed.pace } : {}),
  });
  if (!result.ok) {
    io.stderr(`vault-ceremony rehearse: ${result.error.message}\n`);
    return ['invalid-output', 'invalid-options', 'cannot-resume'].includes(result.error.kind)
      ? EXIT_USAGE
      : EXIT_FAILED;
  }
  const { report, failback } = result.value;
  const signatures = report.signatures.map((s) => `${s.signer} ${s.good ? 'good' : 'BAD'}`).join(', ');
  const done = rehearsalDone(result.value);
  io.stdout(
    (failback
      ? `old primary follows the new primary: ${done ? 'yes' : 'NO'} (DR mode '${failback.mode}', connected to ${failback.connectedTo ?? 'no primary'}; new primary ${failback.newPrimary})\n`
      : `DR secondary promoted: ${done ? 'yes' : 'NO'}\n`) +
      `bundle verified: ${report.valid ? 'yes' : 'NO'} (${report.events} journal events, head ${report.head}; signatures: ${signatures})\n`,
  );
  return rehearsalSucceeded(result.value) ? EXIT_OK : EXIT_FAILED;
};

interface Options {
  readonly out: string;
  readonly kind: RehearsalKind;
  readonly officers: number;
  /** Undefined: the rehearsal Vault's default (3, or every share when there are fewer officers). */
  readonly threshold: number | undefined;
  readonly vaultVersion: 1 | 2;
  readonly otpLength: OtpLength | undefined;
  /** Nodes per cluster of the in-process rehearsal Vault; undefined: its default (1). */
  readonly nodes: 1 | 3 | 5 | undefined;
  readonly cluster: string | undefined;
  readonly resume: boolean;
  readonly officerPassphrase: string | undefined;
  readonly cast: CastPeople | undefined;
  readonly pace: number | undefined;
}

async function parseOptions(argv: string[], io: CliIo): Promise<Options | number> {
  const parsed = parseCommandLine(argv, io, COMMAND, {
    out: { type: 'string' },
    kind: { type: 'string' },
    officers: { type: 'string' },
    threshold: { type: 'string' },
    'vault-version': { type: 'string' },
    'otp-length': { type: 'string' },
    nodes: { type: 'string' },
    cluster: { type: 'string' },
    resume: { type: 'boolean' },
    'officer-passphrase-file': { type: 'string' },
    cast: { type: 'string' },
    pace: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const out = values.out;
  if (!out) return usageError(io, COMMAND, '--out is required: a new or empty folder for the bundle');
  const cluster = values.cluster;
  const resume = values.resume === true;
  if (resume && cluster === undefined)
    return usageError(
      io,
      COMMAND,
      '--resume needs --cluster: an in-process rehearsal Vault ends with the process, so only an external one can be resumed against',
    );
  if (
    cluster !== undefined &&
    (values.officers !== undefined ||
      values.threshold !== undefined ||
      values['vault-version'] !== undefined ||
      values['otp-length'] !== undefined ||
      values.nodes !== undefined)
  )
    return usageError(
      io,
      COMMAND,
      '--officers, --threshold, --vault-version, --otp-length and --nodes set up the in-process rehearsal Vault; with --cluster the rehearsal Vault already decided them (rehearsal-vault --nodes)',
    );
  const nodes = values.nodes;
  if (nodes !== undefined && nodes !== '1' && nodes !== '3' && nodes !== '5')
    return usageError(io, COMMAND, `--nodes must be 1, 3 or 5 (raft needs an odd number), not '${nodes}'`);
  const kind = values.kind ?? 'promotion';
  if (kind !== 'promotion' && kind !== 'failback')
    return usageError(io, COMMAND, `--kind must be promotion or failback, not '${kind}'`);
  const version = values['vault-version'];
  if (version !== undefined && version !== '1' && version !== '2')
    return usageError(io, COMMAND, `--vault-version must be 1 or 2, not '${version}'`);
  const passphraseFile = values['officer-passphrase-file'];
  if (passphraseFile !== undefined && cluster === undefined)
    return usageError(
      io,
      COMMAND,
      '--officer-passphrase-file is for the officer keys of an external rehearsal Vault (--cluster)',
    );

  const castFile = values.cast;
  if (castFile !== undefined && cluster === undefined)
    return usageError(
      io,
      COMMAND,
      "--cast needs --cluster: the cast holds the keys of that rehearsal Vault's officers",
    );
  if (castFile !== undefined && passphraseFile !== undefined)
    return usageError(
      io,
      COMMAND,
      "--officer-passphrase-file is for generated officer keys; with --cast each officer's key is in the cast",
    );

  const officers = wholeNumber(values.officers, '--officers', 1, 255);
  if (typeof officers === 'string') return usageError(io, COMMAND, officers);
  const threshold = wholeNumber(values.threshold, '--threshold', 1, 255);
  if (typeof threshold === 'string') return usageError(io, COMMAND, threshold);
  const otpLength = otpLengthOption(values['otp-length']);
  if (typeof otpLength === 'string') return usageError(io, COMMAND, otpLength);
  const pace = wholeNumber(values.pace, '--pace', 0, 60_000);
  if (typeof pace === 'string') return usageError(io, COMMAND, pace);

  let officerPassphrase: string | undefined;
  if (passphraseFile !== undefined) {
    const read = await readPassphraseFile(passphraseFile, '--officer-passphrase-file');
    if (!read.ok) return usageError(io, COMMAND, read.error.message);
    officerPassphrase = read.value;
  }
  let cast: CastPeople | undefined;
  if (castFile !== undefined) {
    const read = await readCastFile(castFile);
    if (!read.ok) return usageError(io, COMMAND, read.error.message);
    cast = read.value;
  }
  return {
    out,
    kind,
    officers: officers ?? DEFAULT_OFFICERS,
    threshold,
    vaultVersion: version === '2' ? 2 : 1,
    otpLength,
    nodes: nodes === undefined ? undefined : (Number(nodes) as 1 | 3 | 5),
    cluster,
    resume,
    officerPassphrase,
    cast,
    pace,
  };
}
