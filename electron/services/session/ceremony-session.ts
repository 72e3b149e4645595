/**
 * The ceremony the app runs now, between the wizard's channels and the ceremony service
 * (electron/services/ceremony/): one at a time, started from a reviewed plan file against connection
 * profiles (./plan-preparation.ts), or as an in-app rehearsal (./in-app-rehearsal.ts).
 *
 * What this adds to the service, and nothing more:
 * - files: private key files for shares and signatures are read here from paths people choose,
 *   so the renderer never holds a key (it sends a passphrase once);
 * - typed card PINs (for keys in GnuPG or on a smartcard) turned into bytes for gpg's pipe and
 *   wiped after the one use;
 * - connections the service holds through swappable clients, so a ceremony survives fixing a
 *   connection profile (reconnect, then retry the failed step);
 * - the snapshot the wizard renders: the service's status plus the rehearsal kit and export folder;
 * - the handover of an operation's activation token (./activation-handover.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PersonEvent } from '../../../shared/ceremony/ceremony-events';
import { parsePlan } from '../../../shared/ceremony/plan-text';
import type { CeremonyPlan, PlanOperation } from '../../../shared/ceremony/ceremony-plan';
import type { CeremonySnapshot, RehearsalDrill, ServiceStatus } from '../../../shared/ceremony/ceremony-snapshot';
import { isTerminalStep } from '../../../shared/ceremony/step-catalogue';
import type { ConnectionProfile } from '../../../shared/profiles/connection-profile';
import { utf8ToBytes, wipe } from '../../../shared/codecs/bytes';
import { err, ok, type Result } from '../../../shared/result';
import { resumeCeremony } from '../ceremony/ceremony-recovery';
import { startCeremony, type CeremonyService, type ShareInspection } from '../ceremony/ceremony-service';
import { describeFsError } from '../files/fs-error';
import { readSmallTextFile } from '../files/regular-file';
import { createGpgSigner } from '../pgp/gpg-signer';
import { openPgpKeySigner } from '../pgp/openpgp-signer';
import type { Signer } from '../pgp/signer';
import type { ProfileStore } from '../profiles/profile-store';
import type { RehearsalHost } from '../rehearsal/rehearsal-host';
import { drillsOffered, runDrill, type DrillTarget } from '../rehearsal/rehearsal-drills';
import { DR_SECONDARY_PROFILE, PRIMARY_PROFILE } from '../rehearsal/rehearsal-target';
import type { VaultClient } from '../vault/client';
import { ActivationHandover } from './activation-handover';
import type { SessionMode } from './app-session';
import {
  CEREMONIES_DIR,
  CEREMONY_FOLDER,
  JOURNAL_FILE,
  journalPathOf,
  listCeremonyJournals,
  readJournalPlan,
  type JournalSummary,
} from './ceremony-journals';
import { startInAppFailback, type FailbackRehearsalRequest } from './in-app-failback';
import { startInAppOperation, startInAppRehearsal, type InAppRehearsal, type RehearsalSetup } from './in-app-rehearsal';
import { liveOperationPlan, type OperationPeople } from './live-operation-plan';
import { preparePlan, type PreparedPlan } from './plan-preparation';
import { readSealedTranscript } from './sealed-transcript';
import type { Reconnectable } from './swappable-client';

export type CeremonySessionErrorKind =
  | 'ceremony-running'
  | 'no-ceremony'
  | 'ceremony-not-ended'
  | 'plan-unreadable'
  | 'wrong-session'
  | 'officer-keys-required'
  | 'file-unreadable'
  | 'invalid-rehearsal'
  | 'not-a-rehearsal'
  | 'invalid-key-choice'
  | 'live-operation-needs-people';

export interface CeremonySessionServices {
  /** The app's data folder: journals go under ceremonies/, rehearsal kits under rehearsals/. */
  readonly dataDir: string;
  readonly profiles: ProfileStore;
  readonly connect: (profile: ConnectionProfile, options?: { readonly token?: string }) => Promise<Result<VaultClient>>;
  readonly rehearsal: RehearsalHost;
  readonly now: () => Date;
  /** The GnuPG home officers' smartcards and agents live in; default gpg's own. */
  readonly gnupgHome?: string;
}

/** A key in this app: a private key file, read here, and its passphrase. */
export interface KeyFileInput {
  readonly kind: 'openpgp';
  readonly privateKeyPath: string;
  readonly passphrase?: string | undefined;
}

/**
 * A key in the person's GnuPG home, perhaps on a smartcard, with the PIN they typed: checked
 * against the plan's fingerprint (and the card in the reader) before gpg is asked for anything.
 */
export interface GnupgKeyInput {
  readonly kind: 'gpg';
  readonly homedir: string;
  readonly pin: string;
}

export type ShareUnlockInput =
  | KeyFileInput
  /** Without a PIN, gpg-agent's own pinentry asks; without a home, the app's GnuPG home. */
  | { readonly kind: 'gpg'; readonly homedir?: string | undefined; readonly pin?: string | undefined }
  | { readonly kind: 'plaintext' };

interface ProfileTarget {
  readonly kind: 'profile';
  readonly name: string;
}

interface Running {
  readonly service: CeremonyService;
  readonly handover: ActivationHandover;
  readonly connections: readonly Reconnectable[];
  /** Set for in-app rehearsals, which run against the app's rehearsal Vault. */
  readonly kitDir: string | undefined;
  /** In-app rehearsals: the cluster the ceremony acts on, where drills are put. */
  readonly drillTarget: DrillTarget | undefined;
  exportedTo: string | undefined;
}

type Snapshot = Result<CeremonySnapshot | null>;

export class CeremonySession {
  private running: Running | undefined;
  /** A start or resume under way: a second one (a double click) must not start another Vault or journal. */
  private starting = false;

  constructor(private readonly services: CeremonySessionServices) {}

  snapshot(): CeremonySnapshot | null {
    return this.running ? snapshotOf(this.running) : null;
  }

  startRehearsal(setup: RehearsalSetup): Promise<Snapshot> {
    return this.exclusiveStart(() => this.startRehearsalNow(setup));
  }

  private async startRehearsalNow(setup: RehearsalSetup): Promise<Snapshot> {
    return this.adoptRehearsal(await startInAppRehearsal(this.services.rehearsal, setup, this.services));
  }

  /**
   * A rehearsal of the failback, as its own ceremony with its own kit and journal: on the rehearsal
   * Vault a finished promotion rehearsal left (that rehearsal is put away first; its journal stays
   * in its kit), or on a fresh one whose promotion is played headless first to set the scene.
   */
  async startFailbackRehearsal(request: FailbackRehearsalRequest): Promise<Snapshot> {
    const run = this.running;
    if (run && !('fresh' in request) && run.kitDir !== undefined && isFinishedPromotion(run.service.status()))
      await this.shutdown();
    return this.exclusiveStart(async () =>
      this.adoptRehearsal(await startInAppFailback(this.services.rehearsal, request, this.services)),
    );
  }

  /**
   * One replication operation on a cluster, as its own ceremony. In a rehearsal session it runs on
   * the rehearsal Vault's cluster with a generated cast and kit. A live one runs on the session's
   * profile with the administrator and witnesses people named, its plan prepared here
   * (./live-operation-plan.ts); one that needs officers' shares starts from a reviewed plan file.
   */
  startOperation(
    target: { readonly kind: 'rehearsal'; readonly cluster: 'primary' | 'dr-secondary' } | ProfileTarget,
    operation: PlanOperation,
    live: { readonly session: SessionMode; readonly people?: OperationPeople | undefined },
  ): Promise<Snapshot> {
    return this.exclusiveStart(async () => {
      if (target.kind === 'profile') return this.startLiveOperationNow(target.name, operation, live);
      const profile = target.cluster === 'primary' ? PRIMARY_PROFILE : DR_SECONDARY_PROFILE;
      return this.adoptRehearsal(
        await startInAppOperation(this.services.rehearsal, { profile, operation }, this.services),
      );
    });
  }

  private async startLiveOperationNow(
    profile: string,
    operation: PlanOperation,
    live: { readonly session: SessionMode; readonly people?: OperationPeople | undefined },
  ): Promise<Snapshot> {
    if (!live.people)
      return err(
        'live-operation-needs-people',
        'an operation on a live cluster names its administrator and witnesses with their keys: name them, then start it',
      );
    // Checked before connecting: nothing is asked of a cluster this session does not work against.
    if (live.session.profile !== profile)
      return err(
        'wrong-session',
        `this session works against ${live.session.profile === null ? 'the rehearsal Vault' : `profile '${live.session.profile}'`}, not '${profile}': choose '${profile}' on the Start screen first`,
      );
    const found = await this.services.profiles.get(profile);
    if (!found.ok) return found;
    const client = await this.services.connect(found.value);
    if (!client.ok) return client;
    const plan = await liveOperationPlan({
      profile,
      operation,
      people: live.people,
      client: client.value,
      now: this.services.now(),
    }).finally(() => client.value.close());
    return plan.ok ? this.startPlanNow(plan.value, undefined, live.session) : plan;
  }

  private adoptRehearsal(started: Result<InAppRehearsal>): Snapshot {
    if (!started.ok) return started;
    const { service, connections, kitDir, drillTarget } = started.value;
    this.running = { ...running(service), connections, kitDir, drillTarget };
    return ok(this.snapshot());
  }

  /** A ceremony from a plan file. A live plan runs only in a live session on the profile it names. */
  startFromPlan(planPath: string, officerKeysPath: string | undefined, session: SessionMode): Promise<Snapshot> {
    return this.exclusiveStart(() => this.startFromPlanNow(planPath, officerKeysPath, session));
  }

  private async startFromPlanNow(
    planPath: string,
    officerKeysPath: string | undefined,
    session: SessionMode,
  ): Promise<Snapshot> {
    const text = await readSmallTextFile(planPath, 'the plan');
    if (!text.ok) return text;
    const parsed = parsePlan(text.value);
    if (!parsed.ok) return err('plan-unreadable', `${planPath}: ${parsed.error.message}`);
    return this.startPlanNow(parsed.value, officerKeysPath, session);
  }

  /** A ceremony from a checked plan, journaled in a new folder under ceremonies/. */
  private async startPlanNow(
    plan: CeremonyPlan,
    officerKeysPath: string | undefined,
    session: SessionMode,
  ): Promise<Snapshot> {
    const live = await preparePlan(this.services, plan, officerKeysPath, session);
    if (!live.ok) return live;
    const dir = join(
      this.services.dataDir,
      CEREMONIES_DIR,
      `${plan.id}-${this.services.now().toISOString().replace(/[-:.]/g, '')}`,
    );
    const made = await mkdir(dir, { recursive: true, mode: 0o700 }).then(
      () => undefined,
      (e: unknown) => describeFsError(e),
    );
    if (made !== undefined) {
      live.value.close();
      return err('plan-unreadable', `cannot create the ceremony folder ${dir}: ${made}`);
    }
    const started = await startCeremony(plan, { ...live.value.options, journalPath: join(dir, JOURNAL_FILE) });
    return this.adopt(started, live.value);
  }

  /** The ceremonies this laptop has journals for, except the one running now. */
  async resumable(): Promise<JournalSummary[]> {
    const running = this.running?.service.status().journal.path;
    return (await listCeremonyJournals(this.services.dataDir)).filter(
      (j) => journalPathOf(this.services.dataDir, j.id) !== running,
    );
  }

  /**
   * Picks up a ceremony from its journal after a crash or restart: the service records the
   * interruption, reads the attempt and the cluster's mode from Vault, and the machine decides
   * what the lost secrets mean (usually: cancel the attempt, witnessed, and start it again).
   */
  resume(id: string, officerKeysPath: string | undefined, session: SessionMode): Promise<Snapshot> {
    return this.exclusiveStart(() => this.resumeNow(id, officerKeysPath, session));
  }

  private async resumeNow(id: string, officerKeysPath: string | undefined, session: SessionMode): Promise<Snapshot> {
    if (!CEREMONY_FOLDER.test(id)) return err('plan-unreadable', `'${id}' is not a ceremony this laptop journaled`);
    const journalPath = journalPathOf(this.services.dataDir, id);
    const plan = await readJournalPlan(journalPath);
    if (!plan.ok) return plan;
    const live = await preparePlan(this.services, plan.value, officerKeysPath, session);
    if (!live.ok) return live;
    return this.adopt(await resumeCeremony({ ...live.value.options, journalPath }), live.value);
  }

  act(event: PersonEvent): Promise<Snapshot> {
    return this.withService((s) => s.act(event));
  }

  /**
   * Puts a drill on the in-app rehearsal's cluster mid-ceremony (a leader change) and says what it
   * did; the ceremony is not told, and must find the change itself on its next call, as on the day.
   */
  async drill(
    drill: RehearsalDrill,
  ): Promise<Result<{ readonly ceremony: CeremonySnapshot | null; readonly done: string }>> {
    const run = this.running;
    if (!run) return noCeremony();
    if (!run.drillTarget)
      return err('not-a-rehearsal', 'drills are offered only in an in-app rehearsal, never against a live cluster');
    const done = await runDrill(run.drillTarget, drill);
    return done.ok ? ok({ ceremony: this.snapshot(), done: done.value }) : done;
  }

  /** Tries the failed action again; with `reconnect`, after connecting every profile afresh. */
  retry(reconnect: boolean): Promise<Snapshot> {
    return this.withService(async (s, run) => {
      if (reconnect) {
        for (const c of run.connections) {
          const next = await c.reconnect();
          if (!next.ok) return next;
          c.swappable.swap(next.value);
        }
      }
      return s.retry();
    });
  }

  async inspectShare(pasted: string): Promise<Result<ShareInspection>> {
    const run = this.running;
    if (!run) return noCeremony();
    return run.service.inspectShare(pasted);
  }

  submitShare(officer: string, pasted: string, unlock: ShareUnlockInput): Promise<Snapshot> {
    return this.withService(async (s) => {
      if (unlock.kind === 'plaintext') return s.submitShare({ officer, pasted, unlock });
      if (unlock.kind === 'gpg') {
        const gnupgHome = unlock.homedir ?? this.services.gnupgHome;
        if (unlock.pin === undefined)
          return s.submitShare({ officer, pasted, unlock: { kind: 'gpg', ...(gnupgHome ? { gnupgHome } : {}) } });
        if (gnupgHome === undefined)
          return err('invalid-key-choice', `give ${officer}'s GnuPG home with the PIN: the PIN is for that home's key`);
        return withTypedPin(unlock.pin, (pin) =>
          s.submitShare({ officer, pasted, unlock: { kind: 'gpg', gnupgHome, pin } }),
        );
      }
      const key = await readSmallTextFile(unlock.privateKeyPath, 'the private key file');
      if (!key.ok) return key;
      return s.submitShare({
        officer,
        pasted,
        unlock: {
          kind: 'openpgp',
          privateKeyArmored: key.value,
          ...(unlock.passphrase ? { passphrase: unlock.passphrase } : {}),
        },
      });
    });
  }

  provideToken(input: { readonly token: string } | { readonly rehearsalRootToken: true }): Promise<Snapshot> {
    return this.withService(async (s, run) => {
      if ('token' in input) return s.provideToken(input.token);
      if (run.kitDir === undefined)
        return err(
          'not-a-rehearsal',
          "only an in-app rehearsal can use the rehearsal Vault's root token; enter the primary's root token",
        );
      const vault = await this.services.rehearsal.vault();
      return vault.ok ? s.provideToken(vault.value.rootToken) : vault;
    });
  }

  /**
   * A signed authorisation of the irreversible step by `actor` (the administrator or a witness),
   * with their key file or their key in GnuPG (a card); the key, passphrase or PIN are used once.
   */
  authorise(actor: string, key: KeyFileInput | GnupgKeyInput): Promise<Snapshot> {
    return this.withService((s) => withPersonSigner(s, actor, key, (signer) => s.authorise(signer)));
  }

  /**
   * The administrator or a witness signs the transcript with their key file, or with their key in
   * GnuPG (a card): its fingerprint is the one the plan pins for them, checked before the PIN is used.
   */
  sign(signer: string, key: KeyFileInput | GnupgKeyInput): Promise<Snapshot> {
    return this.withService((s) => withPersonSigner(s, signer, key, (made) => s.sign({ signer, key: made })));
  }

  /** The transcript people sign: the journal up to the event that closed the record, rendered. */
  async transcript(): Promise<Result<string | null>> {
    const run = this.running;
    if (!run) return noCeremony();
    return readSealedTranscript(run.service.status().journal.path);
  }

  revealActivationToken(): Result<string> {
    return this.running ? this.running.handover.reveal() : noCeremony();
  }

  /** Writes the lent activation token to the clipboard through `writeClipboard`, once. */
  async copyActivationToken(writeClipboard: (text: string) => Promise<void>): Promise<Result<CeremonySnapshot | null>> {
    const run = this.running;
    if (!run) return noCeremony();
    const copied = await run.handover.copy(writeClipboard);
    return copied.ok ? ok(this.snapshot()) : copied;
  }

  async saveActivationToken(path: string): Promise<Result<CeremonySnapshot | null>> {
    const run = this.running;
    if (!run) return noCeremony();
    const saved = await run.handover.save(path);
    return saved.ok ? ok(this.snapshot()) : saved;
  }

  async exportBundle(dir: string) {
    const run = this.running;
    if (!run) return noCeremony();
    const report = await run.service.exportBundle(dir);
    if (report.ok) run.exportedTo = dir;
    return report;
  }

  /** Puts away an ended ceremony (or one whose journal failed), so another can start. */
  async close(): Promise<Snapshot> {
    const run = this.running;
    if (!run) return ok(null);
    const status = run.service.status();
    if (!isTerminalStep(status.step) && !status.stopped)
      return err(
        'ceremony-not-ended',
        `the ceremony is at '${status.title}': finish it, cancel it (witnessed) or abort it before closing`,
      );
    await this.shutdown();
    return ok(null);
  }

  /** On quit: wipes the service's secrets and closes the journal and connections, whatever the state. */
  async shutdown(): Promise<void> {
    const run = this.running;
    this.running = undefined;
    if (!run) return;
    await run.service.close();
    for (const c of run.connections) c.swappable.client.close();
  }

  private adopt(started: Result<CeremonyService>, live: PreparedPlan): Snapshot {
    if (!started.ok) {
      live.close();
      return started;
    }
    this.running = {
      ...running(started.value),
      connections: live.connections,
      kitDir: undefined,
      drillTarget: undefined,
    };
    return ok(this.snapshot());
  }

  private async withService(
    use: (service: CeremonyService, run: Running) => Promise<Result<ServiceStatus>>,
  ): Promise<Snapshot> {
    const run = this.running;
    if (!run) return noCeremony();
    const r = await use(run.service, run);
    return r.ok ? ok(this.snapshot()) : r;
  }

  private async exclusiveStart(start: () => Promise<Snapshot>): Promise<Snapshot> {
    const busy = this.refuseIfRunning();
    if (busy) return busy;
    if (this.starting) return err('ceremony-running', 'a ceremony is being started already; wait for it');
    this.starting = true;
    try {
      return await start();
    } finally {
      this.starting = false;
    }
  }

  private refuseIfRunning(): Result<never> | undefined {
    const run = this.running;
    if (!run) return undefined;
    const status = run.service.status();
    const what = isTerminalStep(status.step)
      ? 'has ended but is still open: close it'
      : 'is in progress: finish, cancel or abort it';
    return err('ceremony-running', `ceremony '${run.service.plan.id}' ${what} before starting another`);
  }
}

/** The typed PIN as the bytes gpg's pipe gets, wiped once `use` is done, whatever happened. */
async function withTypedPin<T>(typed: string, use: (pin: Uint8Array) => Promise<T>): Promise<T> {
  const pin = utf8ToBytes(typed);
  try {
    return await use(pin);
  } finally {
    wipe(pin);
  }
}

function isFinishedPromotion(status: ServiceStatus): boolean {
  return status.plan.kind === 'promotion' && status.step === 'finished' && status.committed;
}

function noCeremony(): Result<never> {
  return err('no-ceremony', 'no ceremony is running: start one from a plan or a rehearsal first');
}

function running(service: CeremonyService): Pick<Running, 'service' | 'handover' | 'exportedTo'> {
  return { service, handover: new ActivationHandover(() => service.activationToken()), exportedTo: undefined };
}

function snapshotOf(run: Running): CeremonySnapshot {
  return {
    ...run.service.status(),
    kitDir: run.kitDir ?? null,
    exportedTo: run.exportedTo ?? null,
    activationToken: run.handover.view(),
    drills: run.drillTarget && !isTerminalStep(run.service.status().step) ? [...drillsOffered(run.drillTarget)] : [],
  };
}

/**
 * `name`'s key as chosen in the app, lent to `use` as a Signer: a key file read here, or their key
 * in GnuPG checked against the fingerprint the plan pins for them before the typed PIN is used.
 */
async function withPersonSigner<T>(
  s: CeremonyService,
  name: string,
  key: KeyFileInput | GnupgKeyInput,
  use: (signer: Signer) => Promise<Result<T>>,
): Promise<Result<T>> {
  if (key.kind === 'gpg') {
    const plan = s.plan;
    const person = [plan.administrator, ...plan.witnesses].find((p) => p.name === name);
    if (!person) return err('refused', `'${name}' is neither the administrator nor a witness of this ceremony`);
    const { homedir } = key;
    return withTypedPin(key.pin, (pin) =>
      use(createGpgSigner({ name, fingerprint: person.fingerprint, homedir, pin })),
    );
  }
  const made = await keyFileSigner(name, key.privateKeyPath, key.passphrase);
  return made.ok ? use(made.value) : made;
}

/** `name`'s key file chosen in the app, as a Signer; the service checks its key against the plan. */
async function keyFileSigner(name: string, privateKeyPath: string, passphrase: string | undefined) {
  const key = await readSmallTextFile(privateKeyPath, 'the signing key file');
  if (!key.ok) return key;
  return openPgpKeySigner({ armoredPrivateKey: key.value, ...(passphrase ? { passphrase } : {}) }, { name });
}
