/**
 * The ceremony the app runs now, between the wizard's channels and the ceremony service
 * (electron/services/ceremony/): one at a time, started from a reviewed plan file against connection
 * profiles, or as an in-app rehearsal against a fresh rehearsal Vault with its kit written out.
 *
 * What this adapter adds to the service, and nothing more:
 * - files: the plan, the officers' keyring, private key files for shares and signatures are read
 *   here from paths people choose, so the renderer never holds a key (it sends a passphrase once);
 * - connections the service holds through swappable clients, so a ceremony survives fixing a
 *   connection profile (reconnect, then retry the failed step);
 * - the snapshot the wizard renders (shared/ceremony/ceremony-snapshot.ts), built from the service's status.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PersonEvent, ServiceAction } from '../../../shared/ceremony/ceremony-events';
import { parsePlan, type CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import type { CeremonySnapshot } from '../../../shared/ceremony/ceremony-snapshot';
import { PROMOTION_STEPS, promotionScript, type StepId } from '../../../shared/ceremony/ceremony-steps';
import type { ConnectionProfile } from '../../../shared/profiles/connection-profile';
import { FAILBACK_STEPS, failbackScript } from '../../../shared/ceremony/failback-steps';
import { verifyJournalText } from '../../../shared/record/journal-event';
import { err, ok, type Result } from '../../../shared/result';
import { renderTranscript } from '../../../shared/record/transcript-format';
import { readRecord } from '../ceremony/ceremony-record';
import { resumeCeremony } from '../ceremony/ceremony-recovery';
import {
  startCeremony,
  type CeremonyService,
  type CeremonyServiceOptions,
  type ServiceStatus,
  type ShareInspection,
} from '../ceremony/ceremony-service';
import { ADMINISTRATOR, castOfficers, rehearsalPlan, WITNESSES, type CastMember } from '../rehearsal/rehearsal-cast';
import { DR_SECONDARY_PROFILE } from '../rehearsal/rehearsal-target';
import { describeFsError } from '../files/fs-error';
import { generateOfficerKey } from '../../../rehearsal-vault/officer-keys';
import type { ProfileStore } from '../profiles/profile-store';
import type { VaultClient } from '../vault/client';
import {
  CEREMONIES_DIR,
  CEREMONY_FOLDER,
  JOURNAL_FILE,
  journalPathOf,
  listCeremonyJournals,
  readJournalPlan,
  type JournalSummary,
} from './ceremony-journals';
import { planOfficerKeys, suppliedOfficerKeys } from './officer-keyring';
import type { RehearsalHost } from '../rehearsal/rehearsal-host';
import { KIT_JOURNAL, writeRehearsalKit } from '../rehearsal/rehearsal-kit';
import { swappableClient, type SwappableClient } from './swappable-client';

export type CeremonySessionErrorKind =
  | 'ceremony-running'
  | 'no-ceremony'
  | 'ceremony-not-ended'
  | 'plan-unreadable'
  | 'wrong-session'
  | 'officer-keys-required'
  | 'key-unreadable'
  | 'invalid-rehearsal'
  | 'not-a-rehearsal';

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

export interface RehearsalSetup {
  readonly officers: number;
  readonly threshold: number;
  readonly vaultVersion: 1 | 2;
  /** Protects every generated rehearsal key; none when omitted. */
  readonly keyPassphrase?: string | undefined;
  /** The officers' own public keys, one file each, instead of generated keys. */
  readonly officerKeyPaths?: readonly string[] | undefined;
}

export type ShareUnlockInput =
  | { readonly kind: 'openpgp'; readonly privateKeyPath: string; readonly passphrase?: string | undefined }
  | { readonly kind: 'gpg' }
  | { readonly kind: 'plaintext' };

interface Connection {
  readonly swappable: SwappableClient;
  readonly reconnect: () => Promise<Result<VaultClient>>;
}

interface Running {
  readonly service: CeremonyService;
  readonly connections: readonly Connection[];
  /** Set for in-app rehearsals, which run against the app's rehearsal Vault. */
  readonly kitDir: string | undefined;
  exportedTo: string | undefined;
}

type Snapshot = Result<CeremonySnapshot | null>;
type Session = { readonly mode: 'rehearsal' | 'live'; readonly profile: string | null };

interface LivePreparation {
  readonly options: Omit<CeremonyServiceOptions, 'journalPath'>;
  readonly connections: readonly Connection[];
  close(): void;
}

/** Plans, keys and keyrings are small; anything larger is not one and is refused unread. */
const MAX_FILE_BYTES = 1024 * 1024;
const ENDED: readonly string[] = ['finished', 'cancelled', 'aborted'];
const STEP_TITLES: Readonly<Record<string, { title: string }>> = { ...PROMOTION_STEPS, ...FAILBACK_STEPS };

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
    const supplied = setup.officerKeyPaths ? await suppliedOfficerKeys(setup.officerKeyPaths) : undefined;
    if (supplied && !supplied.ok) return supplied;
    const officers = supplied?.value.length ?? setup.officers;
    if (setup.threshold > officers)
      return err(
        'invalid-rehearsal',
        `the threshold (${setup.threshold}) cannot exceed the number of officers (${officers}): lower it or add officers`,
      );
    if (officers > 1 && setup.threshold < 2)
      return err(
        'invalid-rehearsal',
        'with more than one officer the threshold must be at least 2 (Vault refuses a 1-of-n seal)',
      );

    const stamp = this.services.now().toISOString().replace(/[-:.]/g, '');
    const id = `rehearsal-${stamp}`;
    const kitDir = join(this.services.dataDir, 'rehearsals', id);
    const passphrase =
      setup.keyPassphrase === undefined || setup.keyPassphrase === '' ? undefined : setup.keyPassphrase;
    const vault = await this.services.rehearsal.restart({
      threshold: setup.threshold,
      vaultVersion: setup.vaultVersion,
      ...(supplied ? { officerKeys: supplied.value } : { officers }),
      ...(passphrase ? { passphrase } : {}),
    });
    if (!vault.ok) return vault;
    const signers = await Promise.all([ADMINISTRATOR, ...WITNESSES].map((name) => signerKey(name, passphrase)));
    const cast = {
      administrator: signers[0]!,
      witnesses: signers.slice(1),
      officers: castOfficers(vault.value.officers, passphrase),
    };
    const plan = rehearsalPlan(cast, {
      id,
      threshold: vault.value.threshold,
      profile: DR_SECONDARY_PROFILE,
      vaultVersion: setup.vaultVersion,
    });
    if (!plan.ok) return plan;
    const kit = await writeRehearsalKit(kitDir, { plan: plan.value, officers: vault.value.officers, signers });
    if (!kit.ok) return kit;

    const connect = (token?: string) => this.services.rehearsal.connect('dr-secondary', token);
    const client = await connect();
    if (!client.ok) return client;
    const swappable = swappableClient(client.value);
    const started = await startCeremony(plan.value, {
      journalPath: join(kitDir, KIT_JOURNAL),
      clients: { [DR_SECONDARY_PROFILE]: swappable.client },
      officerKeys: cast.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
      withToken: async (_profile, token) => {
        const c = await connect(token);
        return c.ok ? c.value : undefined;
      },
      clock: this.services.now,
    });
    if (!started.ok) {
      swappable.client.close();
      return started;
    }
    this.running = {
      service: started.value,
      connections: [{ swappable, reconnect: () => connect() }],
      kitDir,
      exportedTo: undefined,
    };
    return ok(this.snapshot());
  }

  /** A ceremony from a plan file. A live plan runs only in a live session on the profile it names. */
  startFromPlan(planPath: string, officerKeysPath: string | undefined, session: Session): Promise<Snapshot> {
    return this.exclusiveStart(() => this.startFromPlanNow(planPath, officerKeysPath, session));
  }

  private async startFromPlanNow(
    planPath: string,
    officerKeysPath: string | undefined,
    session: Session,
  ): Promise<Snapshot> {
    const text = await readSmallFile(planPath, 'the plan');
    if (!text.ok) return text;
    const parsed = parsePlan(text.value);
    if (!parsed.ok) return err('plan-unreadable', `${planPath}: ${parsed.error.message}`);
    const plan = parsed.value;
    const live = await this.prepareLive(plan, officerKeysPath, session);
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
  resume(id: string, officerKeysPath: string | undefined, session: Session): Promise<Snapshot> {
    return this.exclusiveStart(() => this.resumeNow(id, officerKeysPath, session));
  }

  private async resumeNow(id: string, officerKeysPath: string | undefined, session: Session): Promise<Snapshot> {
    if (!CEREMONY_FOLDER.test(id)) return err('plan-unreadable', `'${id}' is not a ceremony this laptop journaled`);
    const journalPath = journalPathOf(this.services.dataDir, id);
    const plan = await readJournalPlan(journalPath);
    if (!plan.ok) return plan;
    const live = await this.prepareLive(plan.value, officerKeysPath, session);
    if (!live.ok) return live;
    return this.adopt(await resumeCeremony({ ...live.value.options, journalPath }), live.value);
  }

  act(event: PersonEvent): Promise<Snapshot> {
    return this.withService((s) => s.act(event));
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
      if (unlock.kind === 'gpg')
        return s.submitShare({
          officer,
          pasted,
          unlock: { kind: 'gpg', ...(this.services.gnupgHome ? { gnupgHome: this.services.gnupgHome } : {}) },
        });
      const key = await readSmallFile(unlock.privateKeyPath, 'the private key file');
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

  sign(signer: string, privateKeyPath: string, passphrase: string | undefined): Promise<Snapshot> {
    return this.withService(async (s) => {
      const key = await readSmallFile(privateKeyPath, 'the signing key file');
      if (!key.ok) return key;
      return s.sign({ signer, privateKeyArmored: key.value, ...(passphrase ? { passphrase } : {}) });
    });
  }

  /** The transcript people sign: the journal up to the event that closed the record, rendered. */
  async transcript(): Promise<Result<string | null>> {
    const run = this.running;
    if (!run) return noCeremony();
    const path = run.service.status().journal.path;
    const text = await readFile(path, 'utf8').then(
      (t) => ok(t),
      (e: unknown) => err('journal-unreadable', `cannot read the journal ${path}: ${describeFsError(e)}`),
    );
    if (!text.ok) return text;
    const chain = verifyJournalText(text.value);
    if (!chain.ok) return err('journal-unreadable', `the journal ${path} does not verify: ${chain.error.message}`);
    const record = readRecord(chain.value);
    if (!record.ok) return err('journal-unreadable', record.error.message);
    const sealed = record.value.sealedEvents;
    if (sealed === undefined) return ok(null);
    const events = chain.value.events.slice(0, sealed);
    return ok(renderTranscript({ ...chain.value, events, head: events[events.length - 1]!.hash }));
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
    if (!ENDED.includes(status.ceremony.step) && !status.stopped)
      return err(
        'ceremony-not-ended',
        `the ceremony is at '${status.ceremony.title}': finish it, cancel it (witnessed) or abort it before closing`,
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

  /** Checks the plan against this session, reads the officers' keys and connects every profile the plan acts on. */
  private async prepareLive(
    plan: CeremonyPlan,
    officerKeysPath: string | undefined,
    session: Session,
  ): Promise<Result<LivePreparation>> {
    if (session.mode === 'rehearsal')
      return err(
        'wrong-session',
        `plan '${plan.id}' acts on connection profile '${plan.profile}', but this session is a rehearsal against the built-in Vault: choose '${plan.profile}' on the Start screen, or start a generated rehearsal here instead.`,
      );
    if (session.profile !== plan.profile)
      return err(
        'wrong-session',
        `plan '${plan.id}' acts on profile '${plan.profile}', but this session works against '${session.profile ?? '?'}': choose '${plan.profile}' on the Start screen, or check the plan.`,
      );

    let officerKeys: Array<{ name: string; publicKeyArmored: string }> = [];
    if (plan.officers.length > 0) {
      if (officerKeysPath === undefined)
        return err(
          'officer-keys-required',
          `plan '${plan.id}' names ${plan.officers.length} officers: choose the file with their public keys (gpg --export --armor with each fingerprint), so each share can be matched to its officer.`,
        );
      const keys = await planOfficerKeys(plan, officerKeysPath);
      if (!keys.ok) return keys;
      officerKeys = keys.value;
    }

    const connections: Connection[] = [];
    const clients: Record<string, VaultClient> = {};
    const close = () => connections.forEach((c) => c.swappable.client.close());
    for (const name of [plan.profile, ...(plan.failback ? [plan.failback.new_primary_profile] : [])]) {
      const reconnect = () => this.connectProfile(name);
      const client = await reconnect();
      if (!client.ok) {
        close();
        return client;
      }
      const swappable = swappableClient(client.value);
      connections.push({ swappable, reconnect });
      clients[name] = swappable.client;
    }
    const options = {
      clients,
      officerKeys,
      withToken: async (profile: string, token: string) => {
        const c = await this.connectProfile(profile, token);
        return c.ok ? c.value : undefined;
      },
      clock: this.services.now,
    };
    return ok({ options, connections, close });
  }

  private adopt(started: Result<CeremonyService>, live: LivePreparation): Snapshot {
    if (!started.ok) {
      live.close();
      return started;
    }
    this.running = { service: started.value, connections: live.connections, kitDir: undefined, exportedTo: undefined };
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
    const what = ENDED.includes(status.ceremony.step)
      ? 'has ended but is still open: close it'
      : 'is in progress: finish, cancel or abort it';
    return err('ceremony-running', `ceremony '${run.service.plan.id}' ${what} before starting another`);
  }

  private async connectProfile(name: string, token?: string): Promise<Result<VaultClient>> {
    const profile = await this.services.profiles.get(name);
    if (!profile.ok) return profile;
    return this.services.connect(profile.value, token === undefined ? {} : { token });
  }
}

function noCeremony(): Result<never> {
  return err('no-ceremony', 'no ceremony is running: start one from a plan or a rehearsal first');
}

async function signerKey(name: string, passphrase: string | undefined): Promise<CastMember> {
  const key = await generateOfficerKey({ name, ...(passphrase ? { passphrase } : {}) });
  return {
    name,
    fingerprint: key.fingerprint,
    publicKeyArmored: key.publicKeyArmored,
    privateKeyArmored: key.privateKeyArmored,
    passphrase,
  };
}

async function readSmallFile(path: string, what: string): Promise<Result<string>> {
  try {
    const bytes = await readFile(path);
    if (bytes.byteLength > MAX_FILE_BYTES)
      return err(
        'key-unreadable',
        `${path} is ${bytes.byteLength} bytes, too large to be ${what}: choose the right file`,
      );
    return ok(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    const why = e instanceof TypeError ? 'it is not text (an armored key or YAML plan is)' : describeFsError(e);
    return err('key-unreadable', `cannot read ${what} ${path}: ${why}`);
  }
}

function snapshotOf(run: Running): CeremonySnapshot {
  const status = run.service.status();
  const plan: CeremonyPlan = run.service.plan;
  const v = status.ceremony;
  const script: readonly StepId[] = plan.kind === 'failback' ? failbackScript(plan) : promotionScript(plan);
  const person = (p: { name: string; fingerprint: string }) => ({ name: p.name, fingerprint: p.fingerprint });
  return {
    plan: {
      id: plan.id,
      title: plan.title,
      kind: plan.kind,
      rehearsal: plan.rehearsal,
      profile: plan.profile,
      vaultVersion: plan.vault_version,
      tokenPath: plan.token_path,
      threshold: plan.threshold ?? null,
      primaryClusterAddr: plan.primary_cluster_addr ?? null,
      administrator: person(plan.administrator),
      witnesses: plan.witnesses.map(person),
      officers: plan.officers.map(person),
    },
    steps: script.map((id) => ({ id, title: STEP_TITLES[id]?.title ?? id })),
    step: v.step,
    title: v.title,
    script: v.script,
    awaiting: v.awaiting,
    acknowledgements: v.acknowledgements.map((r) => ({
      anyOf: r.anyOf.map((o) => ({ name: o.name, role: o.role, text: o.text })),
    })),
    action: v.action ? actionView(v.action) : null,
    progress: v.progress ? { ...v.progress } : null,
    nonce: v.nonce ?? null,
    otp: v.otp ? { ...v.otp } : null,
    openDeviations: v.openDeviations.map((d) => ({
      id: d.id,
      kind: d.kind,
      step: d.step,
      reason: d.reason,
      raisedBy: d.raisedBy ?? null,
      at: d.at,
      ...(d.officer === undefined ? {} : { officer: d.officer }),
      ...(d.substitute === undefined ? {} : { substitute: d.substitute }),
    })),
    lastResult: v.lastResult ?? null,
    blocker: v.blocker ?? null,
    canCancel: v.canCancel,
    looseEnds: [...v.looseEnds],
    busy: status.busy,
    stopped: status.stopped,
    lastError: status.lastError ? { kind: status.lastError.kind, message: status.lastError.message } : null,
    input: status.input ?? null,
    journal: { ...status.journal },
    signatures: status.signatures.map((s) => ({ signer: s.signer, fingerprint: s.fingerprint })),
    committed: status.committed,
    kitDir: run.kitDir ?? null,
    exportedTo: run.exportedTo ?? null,
  };
}

/** What the wizard may know of the next action: its kind and the people and flags in it, never a secret. */
function actionView(action: ServiceAction): NonNullable<CeremonySnapshot['action']> {
  switch (action.kind) {
    case 'submit-share':
      return { kind: action.kind, officer: action.officer, actor: action.actor, fingerprint: action.fingerprint };
    case 'promote':
      return { kind: action.kind, force: action.force };
    case 'sign-transcript':
      return { kind: action.kind, actor: action.signer, fingerprint: action.fingerprint };
    default:
      return { kind: action.kind };
  }
}
