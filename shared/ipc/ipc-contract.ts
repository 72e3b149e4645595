/**
 * The one contract between the renderer and the main process. Every channel is an entry here:
 * its name, the schema its argument must satisfy and the schema of the value it answers with.
 * Adding a channel is adding one entry (and its handler, which the compiler then demands).
 *
 * Arguments are strict objects, so a field the contract does not name is refused rather than
 * ignored. Values are parsed again on the way out, which strips any field the contract does not
 * name: nothing leaves the main process by accident.
 */
import * as z from 'zod';
import { personEventSchema } from '../ceremony/ceremony-events';
import { ceremonySnapshotSchema, rehearsalDrillSchema } from '../ceremony/ceremony-snapshot';
import { connectionProfileSchema } from '../profiles/connection-profile';
import { healthSummarySchema, replicationOverviewSchema } from '../replication/replication-overview';
import { planOperationSchema } from '../ceremony/ceremony-plan';

const appMode = z.enum(['rehearsal', 'live']);

const appInfo = z.object({
  version: z.string(),
  /** Rehearsal runs against the built-in simulated Vault; live against a saved profile. */
  mode: appMode,
  /** The profile a live session targets; null in rehearsal. */
  profile: z.string().nullable(),
  /** Set once the window's page was loaded again because its renderer process died: Electron's reason, and when. */
  screenRestarted: z.object({ reason: z.string(), at: z.string() }).optional(),
});

const profileName = z.strictObject({ name: z.string().min(1) });
const profileList = z.object({ profiles: z.array(connectionProfileSchema) });
const oneProfile = z.object({ profile: connectionProfileSchema });

/** The clusters of the built-in rehearsal Vault. */
const rehearsalCluster = z.enum(['primary', 'dr-secondary']);

/** A cluster the dashboard can read: a saved profile, or one of the rehearsal Vault's clusters. */
const clusterTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('profile'), name: z.string().min(1) }),
  z.strictObject({ kind: z.literal('rehearsal'), cluster: rehearsalCluster }),
]);
const clusterTargets = z.object({
  targets: z.array(z.object({ target: clusterTarget, label: z.string(), address: z.string() })),
});

/** A reachable server, as it describes itself. TLS and other failures are the error instead. */
const connectionTest = z.object({ profile: z.string(), address: z.string(), health: healthSummarySchema });

/** What a file chooser is for; the main process picks the dialog's title and filters. */
const fileChoicePurpose = z.enum([
  'ca-bundle',
  'client-certificate',
  'client-key',
  'ceremony-plan',
  'officer-public-keys',
  'person-public-key',
  'officer-private-key',
  'signing-key',
  'auditor-keyring',
  'auditor-fingerprints',
]);
/** What a folder chooser is for: a bundle to read, where to write one, or a person's GnuPG home. */
const directoryChoicePurpose = z.enum(['transcript-bundle', 'export-bundle', 'gnupg-home']);

/** A path the person typed or chose; the main process reads it, the renderer never does. */
const absolutePath = z
  .string()
  .min(1, 'the path is empty')
  .max(4096)
  .regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'give the full path, starting with /')
  .refine((p) => !p.includes('\0'), 'the path contains a NUL character');

/**
 * A transcript bundle as `verifyBundle` judges it, with the signed text for reading. Every string
 * but `verdict` and `kind` comes from the bundle: the viewer shows them through visibleText.
 */
const transcriptBundle = z.object({
  dir: z.string(),
  /** anchored: consistent and every signer's key is the auditor's; unanchored: consistent only. */
  verdict: z.enum(['anchored', 'unanchored', 'failed']),
  valid: z.boolean(),
  ceremonyId: z.string().nullable(),
  rehearsal: z.boolean().nullable(),
  events: z.number().nullable(),
  head: z.string().nullable(),
  /** Who the journal's plan names to sign, in signing order. */
  signers: z.array(
    z.object({
      name: z.string(),
      role: z.enum(['administrator', 'witness']),
      fingerprint: z.string(),
      anchored: z.boolean(),
      /** The key's user IDs in the auditor's own keyrings: whom the auditor knows it as, beside the plan's name. */
      keyringUserIds: z.array(z.string()),
    }),
  ),
  signatures: z.array(
    z.object({
      signer: z.string(),
      fingerprint: z.string(),
      created: z.string(),
      good: z.boolean(),
      /** What became of the signer's key after a good signature: expired, superseded, retired. */
      since: z.array(z.string()),
    }),
  ),
  /** How the ceremony ended, as the journal's closing event states it; null when it states none. */
  outcome: z.string().nullable(),
  /** Each signed authorisation of what cannot be undone, checked against its signer's planned key. */
  authorisations: z.array(
    z.object({
      step: z.string(),
      /** As the statement says: `promote`, `abort: "<reason>"`, `waive <step>: "<reason>"`… */
      action: z.string(),
      signer: z.string(),
      role: z.string(),
      fingerprint: z.string(),
      good: z.boolean(),
      since: z.array(z.string()),
    }),
  ),
  problems: z.array(z.object({ kind: z.string(), message: z.string() })),
  /** What does not fail the bundle but must be shown beside any verdict: unsigned entries, odd times. */
  warnings: z.array(z.object({ kind: z.string(), message: z.string() })),
  /** The signed text of transcript.txt.asc (else transcript.txt as it stands); null when neither can be read. */
  transcript: z.string().nullable(),
});

/** The running ceremony, or null when there is none. */
const ceremonyState = z.object({ ceremony: ceremonySnapshotSchema.nullable() });
/** A passphrase: it goes to the main process for one use and never comes back. */
const passphrase = z.string().min(1).max(1024).optional();
/** Someone taking part in a live operation, with their key's fingerprint, their public key file, or both. */
const personChoice = z.strictObject({
  name: z.string().trim().min(1, 'the name is empty').max(100),
  fingerprint: z.string().max(200).optional(),
  publicKeyPath: absolutePath.optional(),
});
/** Who takes part in an operation on a live cluster (its plan is prepared in the app). */
const operationPeople = z.strictObject({
  administrator: personChoice,
  witnesses: z.array(personChoice).min(1, 'name at least one witness').max(9),
});
/** A fresh rehearsal Vault's officers and threshold, and how their keys come about. */
const rehearsalSetup = z.strictObject({
  officers: z.number().int().min(1).max(9),
  threshold: z.number().int().min(1).max(9),
  vaultVersion: z.union([z.literal(1), z.literal(2)]),
  /** The rehearsal Vault's generate-root otp_length: 28 (default), 26 (`s.` tokens), 0 (a server before 0.11). */
  otpLength: z.union([z.literal(28), z.literal(26), z.literal(0)]).optional(),
  keyPassphrase: passphrase,
  officerKeyPaths: z.array(absolutePath).min(1).max(9).optional(),
  /** Nodes per rehearsal cluster: 3 or 5 for an HA cluster, where leader-change drills are offered. */
  nodes: z.union([z.literal(1), z.literal(3), z.literal(5)]).optional(),
});
/** Text pasted into a share field: a PGP message (base64 or armored) or a plaintext share. */
const pastedShare = z
  .string()
  .trim()
  .min(1, 'the share field is empty')
  .max(65_536, 'this is far longer than any share');
/**
 * A card PIN (or GnuPG key passphrase) typed into the app: like a passphrase, one use in the main
 * process, handed to gpg through a pipe, never returned, logged or written.
 */
const cardPin = z.string().min(1, 'the PIN field is empty').max(256);
/** A key in this app: a private key file (openpgp.js) and its passphrase. */
const keyFile = z.strictObject({ kind: z.literal('openpgp'), privateKeyPath: absolutePath, passphrase });
/** A key in the person's GnuPG home, perhaps on a smartcard, checked against the plan's fingerprint first. */
const gnupgKey = z.strictObject({ kind: z.literal('gpg'), homedir: absolutePath, pin: cardPin });
const shareUnlock = z.discriminatedUnion('kind', [
  keyFile,
  /** Without a PIN, gpg-agent's own pinentry asks for it; without a home, the app's GnuPG home. */
  gnupgKey.partial({ homedir: true, pin: true }),
  z.strictObject({ kind: z.literal('plaintext') }),
]);
const shareInspection = z.object({
  officer: z.string(),
  fingerprint: z.string(),
  keyId: z.string(),
  sha256: z.string(),
});

function channel<A extends z.ZodType, V extends z.ZodType>(spec: { arg: A; value: V }): { arg: A; value: V } {
  return spec;
}

export const ipcContract = {
  'app.info': channel({ arg: z.strictObject({}), value: appInfo }),
  /**
   * The page showed the notice of the restart at `at` (as app.info gave it), so app.info stops
   * giving it: a later ordinary reload does not say the screen crashed. A newer restart stays.
   */
  'app.screenRestartShown': channel({
    arg: z.strictObject({ at: z.iso.datetime() }),
    value: z.object({ cleared: z.boolean() }),
  }),
  'app.selectMode': channel({
    arg: z.discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('rehearsal') }),
      z.strictObject({ mode: z.literal('live'), profile: z.string().min(1) }),
    ]),
    value: appInfo,
  }),
  'profiles.list': channel({ arg: z.strictObject({}), value: profileList }),
  /** Adds a profile; one of the same name is replaced only with `replace: true`. */
  'profiles.save': channel({
    arg: z.strictObject({ profile: connectionProfileSchema, replace: z.boolean() }),
    value: oneProfile,
  }),
  'profiles.remove': channel({ arg: profileName, value: z.object({ name: z.string() }) }),
  /** A profile built from the main process's VAULT_* variables, for review; it is not saved. */
  'profiles.importFromEnv': channel({ arg: profileName, value: oneProfile }),
  /** Connects with the profile as given (saved or not) and reports the server, or the precise failure. */
  'profiles.test': channel({ arg: z.strictObject({ profile: connectionProfileSchema }), value: connectionTest }),
  /** What the dashboard can show in this session: the rehearsal Vault's clusters, or the saved profiles. */
  'replication.targets': channel({ arg: z.strictObject({}), value: clusterTargets }),
  'replication.status': channel({ arg: z.strictObject({ target: clusterTarget }), value: replicationOverviewSchema }),
  'dialog.openFile': channel({
    arg: z.strictObject({ purpose: fileChoicePurpose }),
    /** null when the person cancelled the dialog. */
    value: z.object({ path: z.string().nullable() }),
  }),
  'dialog.openDirectory': channel({
    arg: z.strictObject({ purpose: directoryChoicePurpose }),
    /** null when the person cancelled the dialog. */
    value: z.object({ path: z.string().nullable() }),
  }),
  /**
   * Reads a transcript bundle folder and verifies it offline, as `vault-ceremony verify` does, with
   * the auditor's keyring files and fingerprint list (one 40-hex fingerprint a line) as anchors.
   */
  'transcript.open': channel({
    arg: z.strictObject({
      dir: absolutePath,
      keyrings: z.array(absolutePath).max(16).optional(),
      fingerprints: absolutePath.optional(),
    }),
    value: transcriptBundle,
  }),
  /**
   * Stops the bundle verification still running, whose `transcript.open` then answers
   * `verifier-cancelled`; `cancelled` says whether one was running.
   */
  'transcript.cancel': channel({ arg: z.strictObject({}), value: z.object({ cancelled: z.boolean() }) }),
  /** The ceremony this app runs now (one at a time), as the wizard shows it. */
  'ceremony.status': channel({ arg: z.strictObject({}), value: ceremonyState }),
  /**
   * A rehearsal of the promotion ceremony against a fresh rehearsal Vault with these officers, and
   * the rehearsal kit (keys, shares, plan) written for people to use. Officers bring their own
   * public keys with `officerKeyPaths`, or get generated ones protected by `keyPassphrase`.
   */
  'ceremony.startRehearsal': channel({ arg: rehearsalSetup, value: ceremonyState }),
  /**
   * A rehearsal of the failback as its own ceremony (demote, DR operation token, update-primary):
   * on the rehearsal Vault a finished promotion rehearsal left (which is put away first), with new
   * signing keys behind `keyPassphrase`; or on a `fresh` one, whose promotion is played first.
   */
  'ceremony.startFailbackRehearsal': channel({
    arg: z.union([z.strictObject({ fresh: rehearsalSetup }), z.strictObject({ keyPassphrase: passphrase })]),
    value: ceremonyState,
  }),
  /**
   * In an in-app rehearsal on an HA cluster only: a leader change now (see `drills` in the snapshot).
   * The ceremony is not told; `done` says what happened, for the room.
   */
  'ceremony.drill': channel({
    arg: z.strictObject({ drill: rehearsalDrillSchema }),
    value: ceremonyState.extend({ done: z.string() }),
  }),
  /** A ceremony from a reviewed plan file, with the officers' public keys from a keyring file. */
  'ceremony.startFromPlan': channel({
    arg: z.strictObject({ planPath: absolutePath, officerKeysPath: absolutePath.optional() }),
    value: ceremonyState,
  }),
  /** Ceremonies this laptop has journals for (plan ceremonies; rehearsal Vaults do not survive a restart). */
  'ceremony.resumable': channel({
    arg: z.strictObject({}),
    value: z.object({
      journals: z.array(
        z.object({
          id: z.string(),
          planId: z.string(),
          title: z.string(),
          profile: z.string(),
          rehearsal: z.boolean(),
          startedAt: z.string(),
          events: z.number(),
          state: z.string(),
          ended: z.boolean(),
          readable: z.boolean(),
        }),
      ),
    }),
  }),
  /** Picks up a journaled ceremony where it stood (after a crash or restart), in a live session on its profile. */
  'ceremony.resume': channel({
    arg: z.strictObject({ id: z.string().min(1).max(120), officerKeysPath: absolutePath.optional() }),
    value: ceremonyState,
  }),
  /** A person's event: acknowledge, deviation, deviationWitnessed, cancel or abort. */
  'ceremony.act': channel({ arg: personEventSchema, value: ceremonyState }),
  /** Try the failed action again; `reconnect` first reloads the profiles (after fixing one). */
  'ceremony.retry': channel({ arg: z.strictObject({ reconnect: z.boolean() }), value: ceremonyState }),
  /** Whose share a pasted PGP message is, before anything is decrypted. */
  'ceremony.inspectShare': channel({ arg: z.strictObject({ pasted: pastedShare }), value: shareInspection }),
  'ceremony.submitShare': channel({
    arg: z.strictObject({ officer: z.string().min(1).max(100), pasted: pastedShare, unlock: shareUnlock }),
    value: ceremonyState,
  }),
  /** The primary's root token (Vault 2.x) or the batch DR operation token; in rehearsal, the rehearsal Vault's own root token. */
  'ceremony.provideToken': channel({
    arg: z.union([
      z.strictObject({ token: z.string().trim().min(1, 'the token field is empty').max(8192) }),
      z.strictObject({ rehearsalRootToken: z.literal(true) }),
    ]),
    value: ceremonyState,
  }),
  /**
   * The administrator or a witness authorises the current irreversible step by signing its
   * statement with their key file (and passphrase), read and used once in the main process.
   */
  'ceremony.authorise': channel({
    arg: z.strictObject({
      actor: z.string().min(1).max(100),
      key: z.discriminatedUnion('kind', [keyFile, gnupgKey]),
    }),
    value: ceremonyState,
  }),
  'ceremony.sign': channel({
    arg: z.strictObject({
      signer: z.string().min(1).max(100),
      key: z.discriminatedUnion('kind', [keyFile, gnupgKey]),
    }),
    value: ceremonyState,
  }),
  /** The transcript people sign, once the record is closed; null before. */
  'ceremony.transcript': channel({ arg: z.strictObject({}), value: z.object({ text: z.string().nullable() }) }),
  /** Writes the signed bundle into a new or empty folder and verifies it there. */
  'ceremony.export': channel({ arg: z.strictObject({ dir: absolutePath }), value: transcriptBundle }),
  /**
   * One replication operation (shared/replication/replication-operations.ts) on one cluster, as its
   * own ceremony; the main process builds the plan (a live one with the `people` named on the screen).
   */
  'ceremony.startOperation': channel({
    arg: z.strictObject({ target: clusterTarget, operation: planOperationSchema, people: operationPeople.optional() }),
    value: ceremonyState,
  }),
  /** The activation token an operation's post-check hands over, to show while someone asks to see it. */
  'ceremony.revealActivationToken': channel({ arg: z.strictObject({}), value: z.object({ token: z.string() }) }),
  /** Writes the activation token to the clipboard, once only (the main process owns the clipboard). */
  'ceremony.copyActivationToken': channel({ arg: z.strictObject({}), value: ceremonyState }),
  /** Saves the activation token to a new file (0600) the person names in a save dialog; cancelling changes nothing. */
  'ceremony.saveActivationToken': channel({ arg: z.strictObject({}), value: ceremonyState }),
  /** Puts an ended ceremony away, so another can start. */
  'ceremony.close': channel({ arg: z.strictObject({}), value: ceremonyState }),
};

export type ChannelName = keyof typeof ipcContract;
export const channelNames = Object.keys(ipcContract) as readonly ChannelName[];

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(ipcContract, name);
}

/** What the renderer passes. */
export type ArgIn<C extends ChannelName> = z.input<(typeof ipcContract)[C]['arg']>;
/** What a handler receives, after validation. */
export type Arg<C extends ChannelName> = z.output<(typeof ipcContract)[C]['arg']>;
export type Value<C extends ChannelName> = z.output<(typeof ipcContract)[C]['value']>;

export type AppMode = z.output<typeof appMode>;
export type AppInfo = z.output<typeof appInfo>;
export type ScreenRestart = NonNullable<AppInfo['screenRestarted']>;
export type FileChoicePurpose = z.output<typeof fileChoicePurpose>;
export type DirectoryChoicePurpose = z.output<typeof directoryChoicePurpose>;
export type TranscriptBundle = z.output<typeof transcriptBundle>;
export type ConnectionTest = z.output<typeof connectionTest>;
export type RehearsalCluster = z.output<typeof rehearsalCluster>;
export type ClusterTarget = z.output<typeof clusterTarget>;

/** Errors the IPC layer itself reports, before or instead of a handler's own. */
export type IpcErrorKind = 'unknown-channel' | 'bad-argument' | 'forbidden-sender' | 'internal';

/** What crosses the bridge: data, never a thrown error. */
export type IpcResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly kind: string; readonly message: string } };

/** `window.vaultCeremony`, as the preload (or the e2e bridge) exposes it. */
export interface VaultCeremonyApi {
  invoke<C extends ChannelName>(channel: C, arg: ArgIn<C>): Promise<IpcResult<Value<C>>>;
}
