/**
 * The ceremony service: runs the state machine (shared/ceremony/ceremony-machine.ts) against Vault, the
 * share decryptors and the journal. The wizard and the headless rehearsal both drive it.
 *
 * - Every person's event goes through `transition`; once accepted it is appended to the journal
 *   (fsynced) before anything else happens, and only then applied. A journal that cannot be
 *   written stops the service before its next Vault call: nothing proceeds unrecorded.
 * - Then the service performs `nextAction` in a loop until people must act (./ceremony-actions.ts),
 *   journaling each Vault request and answer (redacted) and the machine's `serviceResult`. A failed
 *   action stays due until a person asks to `retry`; nothing is retried in a loop.
 * - Secrets live only in ./secret-store.ts, registered with the journal's guard and wiped as soon
 *   as the machine no longer lists them as held. A decrypted share lives from its decryption until
 *   it is sent (or refused), then is wiped.
 * - Shares: `inspectShare` names the officer and key a pasted share is for before anything is
 *   decrypted; `submitShare` refuses another officer's share, decrypts, and only then records the
 *   officer stepping up. A wrong passphrase or a wrong officer's share changes nothing.
 * - When signing begins (and no deviation awaits a witness), a `ceremony-finished` event closes
 *   the record: the transcript rendered from the journal up to it is what the administrator signs
 *   and each witness countersigns (keys given at signing time, used once, dropped), and that
 *   journal prefix is the bundle's. Signing events follow in this journal, which stays the
 *   laptop's full record. A restart during signing reopens the record (./ceremony-recovery.ts),
 *   and so does a note a person raises then; it closes again once the restart or note is
 *   witnessed, and everyone signs that head. A key refused at signing does not reopen it (the
 *   refused key signed nothing): it stays in this journal, after the head signed.
 * - Nothing this service returns holds a secret. There is deliberately no way to reveal the OTP
 *   or a token: the plan format has no such option, the decode happens here, and the only use of
 *   the token is the calls the machine makes. (Someone who needs the token must run a new
 *   ceremony for it, on the record.)
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { RandomBytes } from '../../../shared/codecs/base62';
import { bytesToHex, utf8ToBytes, wipe } from '../../../shared/codecs/bytes';
import { personEventSchema, type CeremonyEvent, type PersonEvent } from '../../../shared/ceremony/ceremony-events';
import {
  authorisationDue,
  createCeremony,
  isEnded,
  nextAction,
  openDeviations,
  transition,
  type CeremonyState,
} from '../../../shared/ceremony/ceremony-machine';
import type { CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import type { SecretName } from '../../../shared/ceremony/ceremony-steps';
import type { CeremonyView, ServiceInput, ServiceStatus } from '../../../shared/ceremony/ceremony-snapshot';
import { everyoneSigned, signers, STEPS } from '../../../shared/ceremony/step-catalogue';
import { view } from '../../../shared/ceremony/ceremony-view';
import { serializeEvent, type JsonObject, type VerifiedChain } from '../../../shared/record/journal-event';
import { err, ok, type AppError, type Result } from '../../../shared/result';
import { parseShareInput } from '../../../shared/codecs/share-input';
import { renderTranscript } from '../../../shared/record/transcript-format';
import { Journal } from '../journal/journal';
import { createGpgDecryptor } from '../pgp/gpg-decryptor';
import { createOpenPgpDecryptor } from '../pgp/openpgp-decryptor';
import { displayKeyId, identifyRecipient, type OfficerPublicKey } from '../pgp/recipient';
import { readShareMessage } from '../pgp/share-message';
import type { Signer } from '../pgp/signer';
import type { BundleReport } from '../transcript/verify';
import type { VaultClient } from '../vault/client';
import { exportBundle } from './bundle-export';
import { needsPersonInput, performAction, type ActionContext, type PendingShare } from './ceremony-actions';
import {
  admittedEvent,
  CEREMONY_FINISHED,
  closingDetails,
  detectedDeviations,
  entryFor,
  KEY_REFUSED,
  recordClosesAt,
  reopensRecord,
  startedEntry,
  SYSTEM,
} from './ceremony-record';
import { forbidEverywhere, SecretStore } from './secret-store';
import { signAuthorisation } from './signed-authorisation';
import { stepAnswers } from './step-answers';
import type { ResumeReading } from './resume-reading';
import { TranscriptSigning } from './transcript-signing';

export interface CeremonyServiceOptions {
  readonly journalPath: string;
  /** Connected clients by the plan's profile names: the ceremony's cluster (and a failback's new primary). */
  readonly clients: Readonly<Record<string, VaultClient>>;
  /** The officers' public keys, by plan name; the plan pins each one's fingerprint. */
  readonly officerKeys: ReadonlyArray<{ readonly name: string; readonly publicKeyArmored: string }>;
  readonly clock?: () => Date;
  readonly randomBytes?: RandomBytes;
  /** Progress lines for people (steps, nonce, progress n/m, deviations); never a secret. */
  readonly log?: (line: string) => void;
  /** Vault 2.x `primary-root-token` plans: a client for `profile` that sends `token` as X-Vault-Token. */
  readonly withToken?: (profile: string, token: string) => Promise<VaultClient | undefined>;
  /** Where the transcript signed so far is kept; default: beside the journal. */
  readonly signingPath?: string;
  /**
   * A client for each cluster the plan names in peer_profiles (e.g. the primary a promotion
   * replaces): any that still answers as DR primary stops the promotion unless a witnessed
   * deviation accepts it. Only the plan's peers are asked; the ceremony does not start without a
   * client for each.
   */
  readonly peers?: Readonly<Record<string, VaultClient>>;
}

/** How an officer's share is opened: a software key, the system's gpg (agent or smartcard), or none (a plaintext share). */
export type ShareUnlock =
  | { readonly kind: 'openpgp'; readonly privateKeyArmored: string; readonly passphrase?: string }
  /**
   * With `pinFile` (a cast) or `pin` (typed; the caller wipes it), the PIN goes to gpg through a pipe,
   * the key and card are checked first, and gpg-agent is stopped after use.
   */
  | { readonly kind: 'gpg'; readonly gnupgHome?: string; readonly pinFile?: string; readonly pin?: Uint8Array }
  | { readonly kind: 'plaintext' };

export interface ShareInspection {
  readonly officer: string;
  /** The officer's primary key fingerprint (lowercase hex). */
  readonly fingerprint: string;
  /** The (sub)key the share is encrypted to, as gpg shows it: `0x` and 16 hex digits. */
  readonly keyId: string;
  /** SHA-256 of the PGP message: what the journal records. */
  readonly sha256: string;
}

export type CeremonyServiceErrorKind =
  | 'invalid-options'
  | 'journal-failed'
  | 'stopped'
  | 'busy'
  | 'invalid-event'
  | 'refused'
  | 'use-dedicated-call'
  | 'invalid-share'
  | 'wrong-officer'
  | 'decrypt-failed'
  | 'invalid-token'
  | 'signing-failed'
  | 'not-ready'
  | 'bundle-failed';

type Outcome<T = ServiceStatus> = Promise<Result<T, CeremonyServiceErrorKind>>;

/** Creates the journal (which must not exist yet), records the plan, and runs until people must act. */
export async function startCeremony(plan: CeremonyPlan, options: CeremonyServiceOptions): Outcome<CeremonyService> {
  const checked = checkOptions(plan, options);
  if (!checked.ok) return checked;
  const clock = options.clock ?? (() => new Date());
  const created = await Journal.create(options.journalPath, { ceremonyId: plan.id, rehearsal: plan.rehearsal, clock });
  if (!created.ok) return err('journal-failed', created.error.message);
  const journal = created.value;
  const at = clock().toISOString();
  const started = await journal.append(startedEntry(plan, at));
  if (!started.ok) {
    await journal.close();
    return err('journal-failed', started.error.message);
  }
  const service = CeremonyService.attach(options, journal, createCeremony(plan, at), checked.value);
  await service.run();
  return ok(service);
}

export class CeremonyService {
  private readonly secrets: SecretStore;
  private readonly clock: () => Date;
  private readonly random: RandomBytes;
  private readonly say: (line: string) => void;
  private pending: PendingShare | undefined;
  private tokenClient:
    { readonly secret: TokenSecret; readonly profile: string; readonly client: VaultClient } | undefined;
  private signing: TranscriptSigning | undefined;
  private sealedEvents: number | undefined;
  private busy = false;
  private halted: AppError<string> | undefined;
  private lastError: AppError<string> | undefined;

  private constructor(
    private readonly options: CeremonyServiceOptions,
    private readonly journal: Journal,
    private state: CeremonyState,
    private readonly officerKeys: readonly OfficerPublicKey[],
  ) {
    this.secrets = new SecretStore(journal);
    this.clock = options.clock ?? (() => new Date());
    this.random = options.randomBytes ?? ((n) => new Uint8Array(nodeRandomBytes(n)));
    this.say = options.log ?? (() => undefined);
  }

  /** For startCeremony and ./ceremony-recovery.ts: a service over an open journal and the state it records. */
  static attach(
    options: CeremonyServiceOptions,
    journal: Journal,
    state: CeremonyState,
    officerKeys: readonly OfficerPublicKey[],
    signing?: { signing: TranscriptSigning; sealedEvents: number },
  ): CeremonyService {
    const service = new CeremonyService(options, journal, state, officerKeys);
    if (signing) {
      service.signing = signing.signing;
      service.sealedEvents = signing.sealedEvents;
    }
    service.say(`${state.plan.rehearsal ? 'REHEARSAL ' : ''}ceremony '${state.plan.id}': ${view(state).title}`);
    return service;
  }

  get plan(): CeremonyPlan {
    return this.state.plan;
  }

  /** The read model (shared/ceremony/ceremony-snapshot.ts): the machine's view plus the service's own status. Never a secret. */
  status(): ServiceStatus {
    const ceremony = view(this.state);
    const chain = this.journal.chain;
    const error = this.halted ?? this.lastError;
    return {
      ...ceremony,
      busy: this.busy,
      stopped: this.halted !== undefined,
      lastError: error ? { kind: error.kind, message: error.message } : null,
      input: this.inputWanted(ceremony) ?? null,
      journal: { path: this.journal.path, events: chain.events.length, head: chain.head },
      signatures: (this.signing?.signatures ?? []).map(({ signer, fingerprint }) => ({ signer, fingerprint })),
      reported: stepAnswers(chain.events),
    };
  }

  /** The transcript people sign (rendered through `ceremony-finished`), once the record is closed. */
  transcript(): string | undefined {
    return this.signing?.text;
  }

  /** A person's event: acknowledge, deviation, deviationWitnessed, cancel, or propose an abort. */
  act(input: PersonEvent): Outcome {
    return this.exclusive(async () => {
      const parsed = personEventSchema.safeParse(input);
      if (!parsed.success)
        return err('invalid-event', `the event is not valid: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      const event: CeremonyEvent = { ...parsed.data, at: this.now() };
      if (event.type === 'acknowledge' && (event.step === 'share-entry' || event.step === 'sign-transcript'))
        return err(
          'use-dedicated-call',
          event.step === 'share-entry'
            ? 'an officer steps up by entering their share (submitShare)'
            : 'a signer steps up by signing (sign)',
        );
      const committed = await this.commit(event);
      if (!committed.ok) return committed;
      return this.runLoop();
    });
  }

  /** Runs due actions until people must act (after creation, resume, or to continue). */
  async run(): Promise<ServiceStatus> {
    const r = await this.exclusive(() => this.runLoop());
    return r.ok ? r.value : this.status();
  }

  /** A person asks the laptop to try the failed action again. */
  retry(): Outcome {
    return this.exclusive(() => this.runLoop());
  }

  /** Names the officer and key a pasted share is encrypted to, before anything is decrypted. */
  async inspectShare(pasted: string): Outcome<ShareInspection> {
    const message = await readShareMessage(pasted);
    if (!message.ok) return err('invalid-share', message.error.message);
    const recipient = await identifyRecipient(message.value.recipientKeyIds, this.officerKeys);
    if (!recipient.ok) return err('wrong-officer', recipient.error.message);
    return ok({
      officer: recipient.value.officer,
      fingerprint: recipient.value.fingerprint,
      keyId: displayKeyId(recipient.value.keyId),
      sha256: message.value.sha256,
    });
  }

  /**
   * An officer (or their witnessed substitute) enters a share: checked to be theirs, decrypted,
   * and only then is their stepping up recorded and the share sent.
   */
  submitShare(input: { readonly officer: string; readonly pasted: string; readonly unlock: ShareUnlock }): Outcome {
    return this.exclusive(async () => {
      const ack: CeremonyEvent = {
        type: 'acknowledge',
        step: 'share-entry',
        actor: input.officer,
        role: 'officer',
        at: this.now(),
      };
      const preview = transition(this.state, ack);
      if (!preview.ok) return err('refused', preview.error.message);
      const action = nextAction(preview.value);
      if (action?.kind !== 'submit-share') return err('refused', 'no share can be entered now');

      const opened = await this.openShare(input.pasted, input.unlock, action.officer, action.fingerprint);
      if (!opened.ok) return opened;
      // Stepped up now that the share is open: the record says when it was entered, not pasted.
      const committed = await this.commit({ ...ack, at: this.now() });
      if (!committed.ok) {
        wipe(opened.value.bytes);
        return committed;
      }
      this.pending = opened.value;
      return this.runLoop();
    });
  }

  /**
   * The administrator enters a token when the machine asks: the primary's root token (Vault 2.x), the
   * batch DR operation token, their own Vault token (sudo calls), or an activation token to use.
   */
  provideToken(token: string): Outcome {
    return this.exclusive(async () => {
      const action = nextAction(this.state);
      const wanted = action && action.kind in TOKEN_INPUTS ? TOKEN_INPUTS[action.kind as TokenAction] : undefined;
      if (!action || !wanted)
        return err('refused', 'no token is asked for now; the administrator and a witness authorise entering it first');
      if (!wanted.form.test(token.trim())) return err('invalid-token', `this is not ${wanted.what}`);
      this.secrets.put(wanted.secret, token.trim());
      const committed = await this.commit({
        type: 'serviceResult',
        step: this.state.step,
        outcome: 'ok',
        facts: { kind: action.kind as TokenAction },
        at: this.now(),
      });
      if (!committed.ok) {
        this.secrets.retain(this.state.held);
        return committed;
      }
      return this.runLoop();
    });
  }

  /**
   * The administrator or a witness authorises the current irreversible step, or the abort or waiver
   * awaiting signatures (an `abort` or `token-not-deleted` through `act` only proposes it): `signer` (their key,
   * by whichever backend holds it) signs the statement the laptop asked them to, and only a
   * signature that checks out against the plan's key is journaled. A refusal changes nothing.
   */
  authorise(signer: Signer): Outcome {
    return this.exclusive(async () => {
      const signed = await signAuthorisation(this.state, signer, () => this.now());
      if (!signed.ok) return signed;
      const { event, statementSha256, action } = signed.value;
      const committed = await this.commit(event, { statement_sha256: statementSha256, action });
      if (!committed.ok) return committed;
      return this.runLoop();
    });
  }

  /**
   * The administrator signs the transcript, then each witness countersigns, each through their own
   * Signer (a key in this app, or in GnuPG on a smartcard), whose key is checked against the plan
   * before it signs. A refused key, passphrase or PIN changes nothing but the journal's note of it.
   */
  sign(input: { readonly signer: string; readonly key: Signer }): Outcome {
    return this.exclusive(async () => {
      const role = input.signer === this.state.plan.administrator.name ? 'administrator' : 'witness';
      const ack: CeremonyEvent = {
        type: 'acknowledge',
        step: 'sign-transcript',
        actor: input.signer,
        role,
        at: this.now(),
      };
      const preview = transition(this.state, ack);
      if (!preview.ok) return err('refused', preview.error.message);
      const action = nextAction(preview.value);
      const signing = this.signing;
      if (action?.kind !== 'sign-transcript' || !signing) return err('refused', 'the transcript cannot be signed now');

      const signed = await signing.add(action.signer, action.fingerprint, input.key);
      if (!signed.ok) {
        const noted = await this.noteRefusal(action.signer, role, signed.error.kind);
        return noted.ok ? err('signing-failed', signed.error.message) : noted;
      }
      const committed = await this.commit({ ...ack, at: this.now() });
      if (!committed.ok) return committed;
      const result = await this.commit({
        type: 'serviceResult',
        step: 'sign-transcript',
        outcome: 'ok',
        facts: { kind: 'sign-transcript', signer: action.signer, fingerprint: signed.value.fingerprint },
        at: this.now(),
      });
      if (!result.ok) return result;
      return this.runLoop();
    });
  }

  /**
   * The ceremony and the journal head everyone signed, once they all have: what this ceremony's
   * bundle records (its journal ends at that head), so a bundle found on resuming can be told as its own.
   */
  signedRecord(): { readonly ceremonyId: string; readonly head: string } | undefined {
    const signing = this.signing;
    if (!signing || this.sealedEvents === undefined || !everyoneSigned(this.state.plan, this.state.signed))
      return undefined;
    return { ceremonyId: this.state.plan.id, head: signing.head };
  }

  /**
   * Writes the bundle (transcript.txt.asc, journal.jsonl, signers/) into `dir` once everyone has
   * signed, and verifies it there before reporting success. `dir` must be new or empty, but for
   * the `expected` entries (./bundle-export.ts).
   */
  exportBundle(dir: string, expected: readonly string[] = []): Outcome<BundleReport> {
    return this.exclusive(async () => {
      const signing = this.signing;
      const document = signing?.document;
      if (
        !signing ||
        document === undefined ||
        this.sealedEvents === undefined ||
        !everyoneSigned(this.state.plan, this.state.signed)
      )
        return err('not-ready', `the transcript is not signed by everyone yet (step '${view(this.state).title}')`);
      const events = this.journal.chain.events.slice(0, this.sealedEvents);
      const journal = utf8ToBytes(events.map(serializeEvent).join('\n') + '\n');
      const report = await exportBundle(
        dir,
        { transcript: document, journal, signers: signing.signerFiles() },
        expected,
      );
      if (!report.ok) return err('bundle-failed', report.error.message);
      const recorded = await this.journal.append({
        ...SYSTEM,
        step: this.state.step,
        type: 'bundle-exported',
        details: { dir, head: signing.head, events: this.sealedEvents },
      });
      if (!recorded.ok) return this.halt(recorded.error.message);
      this.say(
        `bundle written to ${dir} and verified: ${report.value.signatures.length} good signature(s), journal head ${signing.head}`,
      );
      return ok(report.value);
    });
  }

  /**
   * The activation token an operation ceremony's secondary-token call made, for the person to carry
   * to the secondary: lent only during the post-check, after which the machine lets it go and it is wiped.
   */
  activationToken(): string | undefined {
    const s = this.state;
    if (s.plan.kind !== 'operation' || s.step !== 'check-after-operation') return undefined;
    return this.secrets.text('activation-token');
  }

  /** Wipes every secret and closes the journal. The clients belong to the caller. */
  async close(): Promise<void> {
    this.forgetAll();
    await this.journal.close();
  }

  // -------------------------------------------------------------------------------------------

  /** Reconciles a replayed state with what Vault says now (./ceremony-recovery.ts journals the reads). */
  resume(reading: ResumeReading): Outcome {
    return this.exclusive(async () => {
      const event: CeremonyEvent = {
        type: 'resume',
        attemptStatus: reading.attemptStatus,
        held: this.secrets.names(),
        mode: reading.mode,
        ...(reading.follows === undefined ? {} : { follows: reading.follows }),
        at: this.now(),
      };
      const committed = await this.commit(event);
      if (!committed.ok) return committed;
      return this.runLoop();
    });
  }

  private async runLoop(): Outcome {
    for (;;) {
      if (this.halted) return err('stopped', this.halted.message);
      const asked = await this.askForAuthorisation();
      if (!asked.ok) return asked;
      if (asked.value) continue;
      const action = nextAction(this.state);
      if (
        !action ||
        needsPersonInput(action) ||
        (action.kind === 'submit-share' && this.pending?.officer !== action.officer)
      )
        break;
      const performed = await performAction(this.actionContext(), this.state, action);
      if (!performed.ok) return this.halt(performed.error.message);
      const { event, extra } = performed.value;
      const failuresBefore = this.state.failures;
      const committed = await this.commit(event, extra);
      if (!committed.ok) return committed;
      // Any result the machine counts as a failure (Vault refused, its answer broke the machine's
      // rules, a check read the wrong mode) waits for a person: the same action again at once
      // would fail the same way, and loop for ever adding journal events.
      if (event.outcome === 'failed' || this.state.failures > failuresBefore) {
        // People read the step's title; the action's internal name means nothing to them.
        const title = STEPS[event.step].title;
        const error = {
          kind: 'action-failed',
          message:
            event.outcome === 'failed'
              ? `${title}: ${event.reason}`
              : (this.state.lastResult ?? `${title} did not succeed`),
        };
        // A failed irreversible call lapsed its authorisation: ask afresh now, so people can sign again.
        const asked = await this.askForAuthorisation();
        if (!asked.ok) return asked;
        this.lastError = error;
        break;
      }
    }
    return ok(this.status());
  }

  /**
   * Asks for the signed authorisation of the irreversible step when the machine says it is due: a
   * fresh statement, with a new nonce and the journal head as it stands. True when it asked.
   */
  private async askForAuthorisation(): Promise<Result<boolean, CeremonyServiceErrorKind>> {
    const asking = authorisationDue(this.state);
    if (!asking) return ok(false);
    const committed = await this.commit({
      type: 'authorisationRequested',
      step: asking,
      nonce: bytesToHex(this.random(16)),
      head: this.journal.chain.head,
      at: this.now(),
    });
    return committed.ok ? ok(true) : committed;
  }

  /**
   * Applies an event: the machine must accept it, the journal must record it, then the state moves.
   * An `ok` result the machine rejects (Vault's answer broke its rules) is recorded as a failure.
   */
  private async commit(event: CeremonyEvent, extra?: JsonObject): Promise<Result<void, CeremonyServiceErrorKind>> {
    const next = admittedEvent(this.state, event);
    const applied = next.event;
    if (!next.ok) return err('refused', next.error.message);
    const before = this.state;
    const journaled = entryFor(applied, before, extra);
    const recorded = await this.journal.append(journaled);
    if (!recorded.ok) return this.halt(recorded.error.message);
    this.state = next.value;
    if (this.sealedEvents !== undefined && reopensRecord(journaled)) {
      // A note during the signing follows the head signed so far: it closes again once witnessed.
      this.sealedEvents = undefined;
      this.signing = undefined;
    }
    this.lastError = undefined;
    for (const entry of detectedDeviations(before, this.state)) {
      const r = await this.journal.append(entry);
      if (!r.ok) return this.halt(r.error.message);
    }
    this.forgetReleased();
    this.report(before);
    return this.closeRecordIfDue();
  }

  /**
   * Once signing begins, `ceremony-finished` closes the record people sign: also after a signed abort,
   * whose loose ends (an attempt left open, a token not deleted) it lists like any other outcome's.
   * A deviation awaiting its witness (a restart's `resumed`) is witnessed first, so the witness is
   * in the record signed.
   */
  private async closeRecordIfDue(): Promise<Result<void, CeremonyServiceErrorKind>> {
    const s = this.state;
    if (this.sealedEvents !== undefined || !recordClosesAt(s) || openDeviations(s).length > 0) return ok(undefined);
    const details = closingDetails(s);
    const finished = await this.journal.append({ ...SYSTEM, step: s.step, type: CEREMONY_FINISHED, details });
    if (!finished.ok) return this.halt(finished.error.message);
    const chain: VerifiedChain = this.journal.chain;
    this.sealedEvents = chain.events.length;
    this.signing = TranscriptSigning.start(renderTranscript(chain), chain.head, this.signingPath());
    this.say(`record closed (${details.outcome}): ${chain.events.length} journal events, head ${chain.head}`);
    return ok(undefined);
  }

  /**
   * Journals that a person's key, passphrase or PIN was refused (the error kind only: never the
   * PIN, the message or anything gpg said), so the record shows every refused attempt.
   */
  private async noteRefusal(
    actor: string,
    role: 'officer' | 'administrator' | 'witness',
    kind: string,
  ): Promise<Result<void, CeremonyServiceErrorKind>> {
    const step = this.state.step;
    const recorded = await this.journal.append({ actor, role, step, type: KEY_REFUSED, details: { kind } });
    return recorded.ok ? ok(undefined) : this.halt(recorded.error.message);
  }

  private async openShare(
    pasted: string,
    unlock: ShareUnlock,
    officer: string,
    fingerprint: string,
  ): Promise<Result<PendingShare, CeremonyServiceErrorKind>> {
    if (unlock.kind === 'plaintext') {
      const parsed = parseShareInput(pasted);
      if (!parsed.ok) return err('invalid-share', parsed.error.message);
      if (parsed.value.form === 'pgp-message')
        return err(
          'invalid-share',
          "this share is PGP-encrypted: decrypt it with the officer's key (openpgp or gpg), not as a plaintext share",
        );
      const bytes = parsed.value.share;
      forbidEverywhere(this.journal, undefined, bytes);
      return ok({ officer, bytes, commitment: { officer, form: 'plaintext' } });
    }
    const message = await readShareMessage(pasted);
    if (!message.ok) return err('invalid-share', message.error.message);
    const recipient = await identifyRecipient(message.value.recipientKeyIds, this.officerKeys, officer);
    if (!recipient.ok) return err('wrong-officer', recipient.error.message);
    if (recipient.value.fingerprint !== fingerprint)
      return err(
        'wrong-officer',
        `the share's key ${recipient.value.fingerprint} is not the key the plan pins for '${officer}'`,
      );
    const decryptor =
      unlock.kind === 'openpgp'
        ? createOpenPgpDecryptor({
            privateKeyArmored: unlock.privateKeyArmored,
            ...(unlock.passphrase ? { passphrase: unlock.passphrase } : {}),
            officers: this.officerKeys,
          })
        : createGpgDecryptor({
            ...(unlock.gnupgHome === undefined ? {} : { gnupgHome: unlock.gnupgHome }),
            ...(unlock.pinFile === undefined ? {} : { pinFile: unlock.pinFile }),
            ...(unlock.pin === undefined ? {} : { pin: unlock.pin }),
          });
    const share = await decryptor.decrypt(message.value, recipient.value);
    if (!share.ok) {
      const noted = await this.noteRefusal(officer, 'officer', share.error.kind);
      return noted.ok ? err('decrypt-failed', share.error.message) : noted;
    }
    forbidEverywhere(this.journal, undefined, share.value);
    const commitment = {
      officer,
      form: 'pgp',
      sha256: message.value.sha256,
      fingerprint: recipient.value.fingerprint,
      key_id: recipient.value.keyId,
    };
    return ok({ officer, bytes: share.value, commitment });
  }

  private actionContext(): ActionContext {
    return {
      journal: this.journal,
      secrets: this.secrets,
      randomBytes: this.random,
      now: () => this.now(),
      client: (profile) => this.options.clients[profile],
      attemptClient: (profile) =>
        this.state.plan.token_path === 'primary-root-token'
          ? this.clientWith('root-token', profile)
          : Promise.resolve(this.options.clients[profile]),
      vaultTokenClient: (profile) => this.clientWith('vault-token', profile),
      peers: Object.fromEntries((this.state.plan.peer_profiles ?? []).map((p) => [p, this.options.peers![p]!])),
      takeShare: (officer) => {
        const share = this.pending?.officer === officer ? this.pending : undefined;
        this.pending = undefined;
        return share;
      },
    };
  }

  /** A client for `profile` carrying a token the service holds (one at a time, closed once the token goes). */
  private async clientWith(secret: TokenSecret, profile: string): Promise<VaultClient | undefined> {
    const token = this.secrets.text(secret);
    if (token === undefined || !this.options.withToken) return undefined;
    if (this.tokenClient?.profile !== profile || this.tokenClient.secret !== secret) {
      this.tokenClient?.client.close();
      this.tokenClient = undefined;
      const client = await this.options.withToken(profile, token);
      if (client) this.tokenClient = { secret, profile, client };
    }
    return this.tokenClient?.client;
  }

  /** Wipes what the machine no longer holds; a share never outlives its try; an abort ends every use. */
  private forgetReleased(): void {
    if (isEnded(this.state) || this.state.aborting) return this.forgetAll();
    this.secrets.retain(this.state.held);
    if (this.tokenClient && !this.secrets.has(this.tokenClient.secret)) {
      this.tokenClient.client.close();
      this.tokenClient = undefined;
    }
    // A share lives for its one try: once its officer's entry is no longer due (sent, or failed before
    // it was taken, as when no HA node leads), it is wiped, and the officer enters it again.
    const due = nextAction(this.state);
    if (this.pending && (due?.kind !== 'submit-share' || due.officer !== this.pending.officer)) {
      wipe(this.pending.bytes);
      this.pending = undefined;
    }
  }

  private forgetAll(): void {
    this.secrets.clear();
    this.tokenClient?.client.close();
    this.tokenClient = undefined;
    wipe(this.pending?.bytes);
    this.pending = undefined;
  }

  private report(before: CeremonyState): void {
    const now = this.state;
    const v = view(now);
    // Completing the attempt moves on at once, so the machine's own line for the last share is not kept.
    if (before.attempt && now.held.includes('encoded-token') && !before.held.includes('encoded-token'))
      this.say(
        `  The last share was accepted: ${before.attempt.required} of ${before.attempt.required}; Vault returned the encoded token.`,
      );
    const newlySigned = now.signed.slice(before.signed.length);
    for (const name of newlySigned)
      this.say(`  ${name} signed the transcript (${now.signed.length} of ${signers(now.plan).length})`);
    if (now.step !== before.step)
      this.say(`${now.plan.rehearsal ? 'REHEARSAL ' : ''}step: ${v.title}${v.nonce ? ` (nonce ${v.nonce})` : ''}`);
    if (now.lastResult !== undefined && now.lastResult !== before.lastResult && newlySigned.length === 0)
      this.say(`  ${now.lastResult}`);
    for (const d of now.deviations.slice(before.deviations.length))
      this.say(`  deviation #${d.id} (${d.kind}): ${d.reason}`);
    for (const d of now.deviations) {
      const was = before.deviations.find((x) => x.id === d.id);
      if (was && was.witnessedBy === undefined && d.witnessedBy !== undefined)
        this.say(`  deviation #${d.id} witnessed by ${d.witnessedBy}`);
    }
  }

  private inputWanted(v: CeremonyView): ServiceInput | undefined {
    if (this.halted || v.awaiting === 'nothing') return undefined;
    // An abort or a waiver is an open deviation that waits for signatures, not a witness's click.
    if (v.awaiting === 'deviation') return v.proposal && v.authorisation ? 'authorisation' : undefined;
    const kind = v.action?.kind;
    if (kind !== undefined && kind in TOKEN_INPUTS) return TOKEN_INPUTS[kind as TokenAction].input;
    if (v.awaiting === 'service') return 'retry';
    if (v.step === 'share-entry' && v.acknowledgements.length > 0) return 'share';
    if (v.step === 'sign-transcript' && v.acknowledgements.length > 0) return 'signature';
    if (v.authorisation && v.acknowledgements.length > 0) return 'authorisation';
    return undefined;
  }

  private halt(message: string): { ok: false; error: AppError<CeremonyServiceErrorKind> } {
    this.halted = { kind: 'journal-failed', message: `the ceremony stopped: ${message}` };
    this.forgetAll();
    this.say(`STOPPED: ${this.halted.message}`);
    return err('journal-failed', this.halted.message);
  }

  private async exclusive<T>(fn: () => Outcome<T>): Outcome<T> {
    if (this.halted) return err('stopped', this.halted.message);
    if (this.busy) return err('busy', 'the laptop is still working on the previous request; wait for it to finish');
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private signingPath(): string {
    return this.options.signingPath ?? `${this.journal.path}.signing.json`;
  }
}

type TokenSecret = 'root-token' | 'vault-token';
type TokenAction = 'collect-root-token' | 'collect-batch-token' | 'collect-vault-token' | 'collect-activation-token';

/** Each token a person may be asked for: where it is kept, its form, and what the wizard asks for. */
const TOKEN_INPUTS: Record<TokenAction, { secret: SecretName; form: RegExp; what: string; input: ServiceInput }> = {
  'collect-root-token': {
    secret: 'root-token',
    form: /^(?:hvs|s)\.[A-Za-z0-9]{24}$/,
    what: "a Vault root token ('hvs.' or 's.' and 24 letters and digits)",
    input: 'root-token',
  },
  'collect-batch-token': {
    secret: 'operation-token',
    form: /^(?:hvb|b)\.[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9]+)?$/,
    what: "a Vault batch token ('hvb.' or 'b.' and its encoded body)",
    input: 'batch-token',
  },
  'collect-vault-token': {
    secret: 'vault-token',
    // Before Vault 1.0 every token was a UUID (vault-protocol.md §1); a failback on such a server needs one.
    form: /^(?:(?:hvs|s|hvb|b)\.[A-Za-z0-9_.-]{20,2000}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
    what: "a Vault token ('hvs.', 's.', 'hvb.' or 'b.' and its body, or a UUID from a Vault before 1.0)",
    input: 'vault-token',
  },
  'collect-activation-token': {
    secret: 'activation-token',
    form: /^[A-Za-z0-9_.-]{20,8000}$/,
    what: 'a secondary activation token (a wrapping token or a JWT, without spaces)',
    input: 'activation-token',
  },
};

/** Checks the options against the plan: a client for every profile it acts on, a key for every officer. */
export function checkOptions(
  plan: CeremonyPlan,
  options: CeremonyServiceOptions,
): Result<OfficerPublicKey[], CeremonyServiceErrorKind> {
  const profiles = [plan.profile, ...(plan.failback ? [plan.failback.new_primary_profile] : [])];
  const missing = profiles.filter((p) => options.clients[p] === undefined);
  if (missing.length > 0)
    return err(
      'invalid-options',
      `no connection was given for profile${missing.length > 1 ? 's' : ''} ${missing.map((p) => `'${p}'`).join(', ')}`,
    );
  const peers = (plan.peer_profiles ?? []).filter((p) => options.peers?.[p] === undefined);
  if (peers.length > 0)
    return err(
      'invalid-options',
      `no connection was given for ${peers.map((p) => `'${p}'`).join(', ')}, which the plan names in peer_profiles to ask before promoting`,
    );
  if ((plan.token_path === 'primary-root-token' || plan.token_path === 'vault-token') && !options.withToken)
    return err(
      'invalid-options',
      `token_path '${plan.token_path}' needs a way to connect with the token entered (withToken)`,
    );
  if (plan.kind === 'failback' && !options.withToken)
    return err('invalid-options', "a failback's demote and secondary-token need a way to connect with a Vault token");
  const keys: OfficerPublicKey[] = [];
  for (const officer of plan.officers) {
    const key = options.officerKeys.find((k) => k.name === officer.name);
    if (!key) return err('invalid-options', `no public key was given for officer '${officer.name}'`);
    keys.push({ name: officer.name, publicKeyArmored: key.publicKeyArmored, fingerprint: officer.fingerprint });
  }
  return ok(keys);
}
