// @tier integration
/**
 * The wizard's channels through the real registry: an in-app rehearsal (fresh rehearsal Vault,
 * kit written, keys passphrase-protected) played to the end with the kit's files exactly as
 * people would choose them, the signed bundle exported and verified; then the refusals that
 * must change nothing.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { validPlanData } from '../../../test/support/ceremony-plan-data';
import type { CeremonySnapshot } from '../../../shared/ceremony/ceremony-snapshot';
import { generateOfficerKey } from '../../../rehearsal-vault/officer-keys';
import { createTempGnupg, type TempGnupg } from '../../../test/support/temp-gnupg';
import { verifyBundle } from '../../services/transcript/verify';
import type { ArgIn } from '../../../shared/ipc/ipc-contract';
import type { CeremonySession } from '../../services/session/ceremony-session';
import { wizardChannels, type WizardChannels } from '../../../test/support/wizard-channels';
import { createRehearsalHost } from '../../services/rehearsal/rehearsal-host';
import type { RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { signingKeyIn } from '../../services/rehearsal/rehearsal-kit';

const PASSPHRASE = 'rehearsal passphrase 3am';

let dir: string;
let channels: WizardChannels;
const rehearsal = createRehearsalHost();
let ceremony: CeremonySession;
let gnupg: TempGnupg;

const call: WizardChannels['call'] = (channel, arg) => channels.call(channel, arg);
const must: WizardChannels['must'] = (channel, arg) => channels.must(channel, arg);
const snapshot = async () => (await must('ceremony.status', {})).ceremony!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ceremony-handlers-'));
  gnupg = createTempGnupg();
  channels = wizardChannels(dir, rehearsal, { gnupgHome: gnupg.home });
  ceremony = channels.ceremony;
});

afterAll(async () => {
  await ceremony.shutdown();
  await rehearsal.close();
  gnupg?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

type Unlock = ArgIn<'ceremony.submitShare'>['unlock'];
interface PlayOptions {
  readonly stop?: (s: CeremonySnapshot) => boolean;
  readonly passphrase?: string;
  readonly unlock?: (officer: string) => Unlock | undefined;
  /** The Vault token the administrator enters (a live ceremony); else the rehearsal Vault's root token. */
  readonly vaultToken?: string;
  /** What an officer types instead of their kit share (a plaintext share). */
  readonly pasted?: (officer: string) => { pasted: string; unlock: Unlock } | undefined;
}

/** Plays every role from the kit until `stop` holds or the ceremony ends. */
async function play(
  kit: string,
  {
    stop = () => false,
    passphrase = PASSPHRASE,
    unlock = () => undefined,
    pasted: typed = () => undefined,
    vaultToken,
  }: PlayOptions = {},
): Promise<CeremonySnapshot> {
  const withPassphrase = passphrase ? { passphrase } : {};
  for (let move = 0; move < 200; move++) {
    const s = await snapshot();
    if (stop(s) || ['finished', 'cancelled', 'aborted'].includes(s.step)) return s;
    const open = s.openDeviations[0];
    const request = s.acknowledgements[0]?.anyOf[0];
    // An abort or a waiver is an open deviation too, but one that is signed, not witnessed.
    if (open && !s.proposal) {
      const witness = s.plan.witnesses.find((w) => w.name !== open.raisedBy)!;
      await must('ceremony.act', { type: 'deviationWitnessed', id: open.id, actor: witness.name });
    } else if (s.input === 'share' && request) {
      const pasted = readFileSync(join(kit, 'shares', `${request.name}.b64`), 'utf8');
      const keyFile = {
        kind: 'openpgp' as const,
        privateKeyPath: join(kit, 'officers', `${request.name}.key.asc`),
        ...withPassphrase,
      };
      await must(
        'ceremony.submitShare',
        typed(request.name)
          ? { officer: request.name, ...typed(request.name)! }
          : { officer: request.name, pasted, unlock: unlock(request.name) ?? keyFile },
      );
    } else if (s.input === 'signature' && request) {
      await must('ceremony.sign', {
        signer: request.name,
        key: { kind: 'openpgp', privateKeyPath: signingKeyIn(kit, request.name), ...withPassphrase },
      });
    } else if (s.input === 'authorisation' && request) {
      await must('ceremony.authorise', {
        actor: request.name,
        key: { kind: 'openpgp', privateKeyPath: signingKeyIn(kit, request.name), ...withPassphrase },
      });
    } else if (s.input === 'root-token' || s.input === 'vault-token') {
      await must('ceremony.provideToken', vaultToken ? { token: vaultToken } : { rehearsalRootToken: true });
    } else if (request) {
      await must('ceremony.act', { type: 'acknowledge', step: s.step, actor: request.name, role: request.role });
    } else {
      throw new Error(`stuck at ${s.step}: ${s.lastError?.message ?? s.lastResult ?? s.awaiting}`);
    }
  }
  throw new Error('too many moves');
}

/** A kit laid out like a rehearsal's (shares, officers' keys, a signers/ folder), for a plan file against a profile. */
function liveKit(name: string, v: RehearsalVault): string {
  const kit = join(dir, name);
  for (const sub of ['shares', 'officers', 'signers']) mkdirSync(join(kit, sub), { recursive: true });
  for (const o of v.officers) {
    writeFileSync(join(kit, 'shares', `${o.name}.b64`), o.encryptedShare);
    writeFileSync(join(kit, 'officers', `${o.name}.key.asc`), o.privateKeyArmored!);
  }
  return kit;
}

/** Ann (administrator) and Wes (witness), their private keys in KIT/signers/ as play() reads them. */
async function liveSigners(kit: string) {
  const signers = await Promise.all(['Ann', 'Wes'].map((name) => generateOfficerKey({ name })));
  for (const k of signers) writeFileSync(signingKeyIn(kit, k.name), k.privateKeyArmored);
  return signers;
}

/**
 * A live session on a profile reaching one of the rehearsal Vault's clusters over mutual TLS, its
 * PEM files in `kit`; answers a writer of further files there.
 */
async function liveSession(kit: string, v: RehearsalVault, at: { name: string; address: string }) {
  const file = (name: string, text: string) => (writeFileSync(join(kit, name), text), join(kit, name));
  const profile = {
    ...at,
    caCertPath: file('ca.pem', v.caPem),
    clientCertPath: file('client.pem', v.clientCertPem),
    clientKeyPath: file('client-key.pem', v.clientKeyPem),
  };
  await must('profiles.save', { profile, replace: false });
  await must('app.selectMode', { mode: 'live', profile: at.name });
  return file;
}

describe('an in-app rehearsal through the wizard’s channels', () => {
  let kit: string;

  it('starts on a fresh rehearsal Vault and writes the kit people use', async () => {
    // A double click: one rehearsal starts, the other is refused.
    const setup = { officers: 3, threshold: 2, vaultVersion: 1, keyPassphrase: PASSPHRASE } as const;
    const both = await Promise.all([call('ceremony.startRehearsal', setup), call('ceremony.startRehearsal', setup)]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.find((r) => !r.ok)).toMatchObject({ ok: false, error: { kind: 'ceremony-running' } });
    const s = await snapshot();
    kit = s.kitDir!;
    expect(s).toMatchObject({
      step: 'roll-call',
      awaiting: 'acknowledgement',
      plan: {
        rehearsal: true,
        threshold: 2,
        officers: [
          { name: 'officer-1', keySource: 'generated' },
          { name: 'officer-2', keySource: 'generated' },
          { name: 'officer-3', keySource: 'generated' },
        ],
      },
    });
    expect(s.script).toMatch(/^REHEARSAL\. /);
    expect(s.steps.map((x) => x.id)).toContain('share-entry');
    for (const file of [
      'plan.yaml',
      'shares/officer-1.b64',
      'officers/officer-1.key.asc',
      'signers/administrator.key.asc',
      'signers/witness-1.pub.asc',
    ])
      expect(existsSync(join(kit, file)), file).toBe(true);
    expect(statSync(join(kit, 'officers', 'officer-2.key.asc')).mode & 0o077).toBe(0);
    const officerKey = await openpgp.readPrivateKey({
      armoredKey: readFileSync(join(kit, 'officers', 'officer-1.key.asc'), 'utf8'),
    });
    expect(officerKey.isDecrypted(), 'generated keys are protected by the rehearsal passphrase').toBe(false);
    expect(s.journal.path).toBe(join(kit, 'ceremony', 'journal.jsonl'));
    // The dashboard now sees the fresh rehearsal Vault's DR secondary.
    const targets = await must('replication.targets', {});
    const running = await rehearsal.vault();
    expect(running.ok && running.value.officers.length).toBe(3);
    expect(
      targets.targets.find((t) => t.target.kind === 'rehearsal' && t.target.cluster === 'dr-secondary')?.address,
    ).toBe(running.ok ? running.value.drSecondary.apiAddr : '');
  });

  it('refuses to start another while it runs, and to close before it ends', async () => {
    expect(await call('ceremony.startRehearsal', { officers: 3, threshold: 2, vaultVersion: 1 })).toMatchObject({
      ok: false,
      error: { kind: 'ceremony-running' },
    });
    expect(await call('ceremony.close', {})).toMatchObject({ ok: false, error: { kind: 'ceremony-not-ended' } });
  });

  it('names whose share a pasted message is, and refuses a wrong passphrase without echoing it', async () => {
    const atShares = await play(kit, { stop: (s) => s.input === 'share' });
    expect(atShares).toMatchObject({ step: 'share-entry', progress: { entered: 0, required: 2 } });
    expect(atShares.nonce).toMatch(/^[0-9a-f-]{36}$/);
    const pasted = readFileSync(join(kit, 'shares', 'officer-2.b64'), 'utf8');
    const inspection = await must('ceremony.inspectShare', { pasted });
    expect(inspection).toMatchObject({
      officer: 'officer-2',
      fingerprint: atShares.plan.officers[1]!.fingerprint,
      keyId: expect.stringMatching(/^0x[0-9A-F]{16}$/),
    });

    const wrong = await call('ceremony.submitShare', {
      officer: 'officer-2',
      pasted,
      unlock: { kind: 'openpgp', privateKeyPath: join(kit, 'officers', 'officer-2.key.asc'), passphrase: 'not it' },
    });
    expect(wrong).toMatchObject({ ok: false, error: { kind: 'decrypt-failed' } });
    expect(JSON.stringify(wrong)).not.toContain('not it');
    const other = await call('ceremony.submitShare', {
      officer: 'officer-1',
      pasted,
      unlock: { kind: 'openpgp', privateKeyPath: join(kit, 'officers', 'officer-1.key.asc'), passphrase: PASSPHRASE },
    });
    expect(other).toMatchObject({ ok: false, error: { kind: 'wrong-officer' } });
    const missingKey = await call('ceremony.submitShare', {
      officer: 'officer-2',
      pasted,
      unlock: { kind: 'openpgp', privateKeyPath: join(kit, 'nowhere.asc'), passphrase: PASSPHRASE },
    });
    expect(missingKey).toMatchObject({
      ok: false,
      error: { kind: 'file-unreadable', message: expect.stringContaining('does not exist') },
    });
    expect((await snapshot()).progress).toEqual({ entered: 0, required: 2 });
  });

  it('plays to the end, a note while signing signed in, and exports a bundle that verifies, into a new folder only', async () => {
    // A witness's note while the transcript is signed reopens the record: everyone signs it anew.
    const note = 'witness-2 saw the transcript read aloud from another screen';
    const signedOnce = await play(kit, { stop: (s) => s.signatures.length === 1 });
    expect(signedOnce.step).toBe('sign-transcript');
    await must('ceremony.act', { type: 'deviation', kind: 'note', actor: 'witness-2', reason: note });
    const noted = await snapshot();
    expect(noted.signatures).toEqual([]);
    expect(noted.openDeviations.map((d) => d.kind)).toEqual(['note']);
    const end = await play(kit);
    expect(end).toMatchObject({ step: 'finished', committed: true, looseEnds: [] });
    expect(end.signatures.map((s) => s.signer)).toEqual(['administrator', 'witness-1', 'witness-2']);
    const transcript = await must('ceremony.transcript', {});
    expect(transcript.text).toContain('REHEARSAL');
    expect(transcript.text).toContain(note);

    // A folder holding anything else is refused before a byte is written, in verify's own words.
    const crowded = join(dir, 'crowded');
    mkdirSync(join(crowded, 'notes'), { recursive: true });
    writeFileSync(join(crowded, 'README.txt'), 'Outcome: ABORTED\n');
    const refused = await call('ceremony.export', { dir: crowded });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'bundle-failed' } });
    expect(!refused.ok && refused.error.message).toBe(
      `the bundle was not written: ${crowded} already holds other entries, and an auditor's verify of that folder would warn: ` +
        `2 entries in the bundle folder are NOT signed and NOT checked: "README.txt", "notes/" (a folder: nothing in it is checked). ` +
        `No signature covers them, so whatever they say is not part of the record: rely only on what verify checked ` +
        `(transcript.txt.asc, transcript.txt, transcript.txt.sig, journal.jsonl, signers/). Export to a new or empty folder`,
    );
    expect(readdirSync(crowded).sort()).toEqual(['README.txt', 'notes']);
    expect((await snapshot()).exportedTo).toBeNull();

    const out = join(dir, 'bundle');
    const report = await must('ceremony.export', { dir: out });
    expect(report).toMatchObject({ valid: true, rehearsal: true, problems: [], warnings: [] });
    expect((await verifyBundle(out)).valid).toBe(true);
    expect((await snapshot()).exportedTo).toBe(out);
    expect(await call('ceremony.export', { dir: out })).toMatchObject({
      ok: false,
      error: { kind: 'bundle-failed', message: expect.stringContaining('never overwritten') },
    });
    const dr = await must('replication.status', { target: { kind: 'rehearsal', cluster: 'dr-secondary' } });
    expect(dr.replication).toMatchObject({ ok: true, value: { dr: { mode: 'primary' } } });

    expect(await must('ceremony.close', {})).toEqual({ ceremony: null });
  });
});

describe('a Vault 2.x rehearsal where Vault insists on force, one officer decrypting through GnuPG, one with a plaintext share', () => {
  it('enters the root token, refuses the plain promotion, promotes with force only after a witnessed deviation', async () => {
    const started = (await must('ceremony.startRehearsal', { officers: 2, threshold: 2, vaultVersion: 2 })).ceremony!;
    const kit = started.kitDir!;
    expect(started.plan).toMatchObject({ vaultVersion: 2, tokenPath: 'primary-root-token' });
    gnupg.importKey(readFileSync(join(kit, 'officers', 'officer-1.key.asc')));
    const running = await rehearsal.vault();
    if (!running.ok) throw new Error(running.error.message);
    running.value.faults.requireForceToPromote();

    // officer-2 brings a plaintext share (the hex text inside their PGP message), typed in as such.
    const message = await openpgp.readMessage({
      binaryMessage: Buffer.from(readFileSync(join(kit, 'shares', 'officer-2.b64'), 'utf8'), 'base64'),
    });
    const officerKey = await openpgp.readPrivateKey({
      armoredKey: readFileSync(join(kit, 'officers', 'officer-2.key.asc'), 'utf8'),
    });
    const plaintext = (await openpgp.decrypt({ message, decryptionKeys: officerKey })).data as string;
    const options = {
      passphrase: '',
      unlock: (officer: string): Unlock | undefined => (officer === 'officer-1' ? { kind: 'gpg' } : undefined),
      pasted: (officer: string) =>
        officer === 'officer-2' ? { pasted: plaintext, unlock: { kind: 'plaintext' as const } } : undefined,
    };
    const refused = await play(kit, { ...options, stop: (s) => s.step === 'promote' && s.lastError !== null });
    expect(refused.lastError?.message).toContain('Promote the DR secondary: ');
    expect(refused.action).toBeNull();
    expect(refused.acknowledgements.length).toBeGreaterThan(0);

    await must('ceremony.act', {
      type: 'deviation',
      kind: 'force-promote',
      actor: 'administrator',
      reason: 'dc1 is confirmed powered off; Vault says the secondary is still catching up',
    });
    const open = await snapshot();
    expect(open).toMatchObject({
      awaiting: 'deviation',
      openDeviations: [{ kind: 'force-promote', raisedBy: 'administrator' }],
    });
    expect(
      await call('ceremony.act', {
        type: 'deviationWitnessed',
        id: open.openDeviations[0]!.id,
        actor: 'administrator',
      }),
    ).toMatchObject({ ok: false });
    await must('ceremony.act', { type: 'deviationWitnessed', id: open.openDeviations[0]!.id, actor: 'witness-1' });
    const forced = await snapshot();
    expect(forced.script).toContain('WITH FORCE');
    expect(forced.acknowledgements[0]?.anyOf[0]?.text).toContain('with force');

    const end = await play(kit, options);
    expect(end).toMatchObject({ step: 'finished', committed: true });
    expect(readFileSync(end.journal.path, 'utf8')).not.toContain(plaintext.trim());
    await must('ceremony.close', {});
  });
});

describe.each([
  { otpLength: 0 as const, otp: 24, token: /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/ },
  { otpLength: 26 as const, otp: 26, token: /^s\.[A-Za-z0-9]{24}$/ },
])('an in-app rehearsal against a Vault whose otp_length is $otpLength', ({ otpLength, otp, token }) => {
  it('makes the OTP that server takes, decodes its token and promotes with it', async () => {
    const setup = { officers: 2, threshold: 2, vaultVersion: 1, otpLength, keyPassphrase: PASSPHRASE } as const;
    const kit = (await must('ceremony.startRehearsal', setup)).ceremony!.kitDir!;
    const running = await rehearsal.vault();
    if (!running.ok) throw new Error(running.error.message);
    const secondary = running.value.cluster('drSecondary');
    expect(secondary.otpLength).toBe(otpLength);
    const minted = vi.spyOn(secondary, 'mintToken');

    const end = await play(kit);
    expect(end).toMatchObject({ step: 'finished', committed: true });
    // The simulator promotes only with the token it minted, so the ceremony decoded exactly that.
    expect(minted.mock.results).toHaveLength(1);
    expect((minted.mock.results[0]!.value as { token: string }).token).toMatch(token);
    expect(secondary.replication.dr.mode).toBe('primary');
    const facts = readFileSync(end.journal.path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { details: { event?: { facts?: { kind?: string } } } })
      .flatMap((e) => (e.details.event?.facts ? [e.details.event.facts] : []));
    expect(facts).toContainEqual({
      kind: 'generate-otp',
      otpLength: otp,
      legacy: otpLength === 0,
      attempt: expect.anything(),
    });
    expect(facts).toContainEqual({ kind: 'decode-token', tokenLength: otpLength === 0 ? 36 : 26 });
    await must('ceremony.close', {});
  });
});

describe('a live plan ceremony, interrupted and resumed from its journal', () => {
  it('lists the journal, resumes it where it stood, restarts the attempt (witnessed) and finishes', async () => {
    const v = await rehearsal.restart({ officers: 3, threshold: 2 });
    if (!v.ok) throw new Error(v.error.message);
    const kit = liveKit('live-kit', v.value);
    const signers = await liveSigners(kit);
    const pem = await liveSession(kit, v.value, { name: 'dc2', address: v.value.drSecondary.apiAddr });
    const plan = pem(
      'plan.yaml',
      stringify({
        ...validPlanData(),
        id: 'dr-dc2-resume',
        title: 'Promote dc2',
        primary_cluster_addr: undefined, // none here: stringify leaves it out
        administrator: { name: 'Ann', fingerprint: signers[0]!.fingerprint },
        witnesses: [{ name: 'Wes', fingerprint: signers[1]!.fingerprint }],
        officers: v.value.officers.map((o) => ({ name: o.name, fingerprint: o.fingerprint })),
      }),
    );
    const keyring = pem('officers.asc', v.value.officers.map((o) => o.publicKeyArmored).join('\n'));

    expect(await call('ceremony.startFromPlan', { planPath: plan })).toMatchObject({
      ok: false,
      error: { kind: 'officer-keys-required' },
    });
    await must('ceremony.startFromPlan', { planPath: plan, officerKeysPath: keyring });
    const midway = await play(kit, { passphrase: '', stop: (s) => s.progress?.entered === 1 });
    const nonce = midway.nonce;
    expect(midway.step).toBe('share-entry');

    // The laptop goes down: its memory (the OTP) is gone, the journal is not.
    await ceremony.shutdown();
    const listed = (await must('ceremony.resumable', {})).journals;
    expect(listed).toEqual([
      expect.objectContaining({
        planId: 'dr-dc2-resume',
        profile: 'dc2',
        state: 'Officers enter their shares',
        ended: false,
        readable: true,
      }),
    ]);
    expect(await call('ceremony.resume', { id: '../../etc', officerKeysPath: keyring })).toMatchObject({ ok: false });
    const resumed = (await must('ceremony.resume', { id: listed[0]!.id, officerKeysPath: keyring })).ceremony!;
    expect(resumed.openDeviations.map((d) => d.kind)).toContain('resumed');
    const end = await play(kit, { passphrase: '' });
    expect(end).toMatchObject({ step: 'finished', committed: true });
    expect(end.nonce === null || end.nonce !== nonce).toBe(true);
    expect((await must('ceremony.transcript', {})).text).toContain('interruption');
    await must('ceremony.close', {});
    expect((await must('ceremony.resumable', {})).journals[0]).toMatchObject({ ended: true, state: 'Finished' });
    await must('app.selectMode', { mode: 'rehearsal' });
  });
});

describe('a live plan naming peer_profiles', () => {
  it('refuses a peer this laptop has no profile for, and stops before promote while a named peer is still primary', async () => {
    const v = await rehearsal.restart({ officers: 2, threshold: 2 });
    if (!v.ok) throw new Error(v.error.message);
    const kit = liveKit('peers-kit', v.value);
    const signers = await liveSigners(kit);
    const pem = await liveSession(kit, v.value, { name: 'east', address: v.value.drSecondary.apiAddr });
    // The old primary, as the laptop reaches it: its own profile, with the same TLS files.
    await must('profiles.save', {
      profile: {
        name: 'west',
        address: v.value.primary.apiAddr,
        caCertPath: join(kit, 'ca.pem'),
        clientCertPath: join(kit, 'client.pem'),
        clientKeyPath: join(kit, 'client-key.pem'),
      },
      replace: false,
    });
    const planNaming = (peers: string[]) =>
      pem(
        `plan-${peers.join('-')}.yaml`,
        stringify({
          ...validPlanData(),
          id: `dr-east-peers-${peers.join('-')}`,
          title: 'Promote east',
          profile: 'east',
          primary_cluster_addr: undefined,
          threshold: 2,
          peer_profiles: peers,
          administrator: { name: 'Ann', fingerprint: signers[0]!.fingerprint },
          witnesses: [{ name: 'Wes', fingerprint: signers[1]!.fingerprint }],
          officers: v.value.officers.map((o) => ({ name: o.name, fingerprint: o.fingerprint })),
        }),
      );
    const keyring = pem('officers.asc', v.value.officers.map((o) => o.publicKeyArmored).join('\n'));

    const unknown = await call('ceremony.startFromPlan', { planPath: planNaming(['dc9']), officerKeysPath: keyring });
    expect(unknown).toMatchObject({ ok: false });
    expect(unknown.ok ? '' : unknown.error.message).toMatch(
      /^plan 'dr-east-peers-dc9' names 'dc9' in peer_profiles, .* cannot connect to it \(.*\): add or fix connection profile 'dc9' on this laptop, or have the plan reviewed again without it$/,
    );
    expect(await snapshot()).toBeNull();

    await must('ceremony.startFromPlan', { planPath: planNaming(['west']), officerKeysPath: keyring });
    const refused = await play(kit, { passphrase: '', stop: (s) => /two primaries/.test(s.lastResult ?? '') });
    expect(refused.step).toBe('promote');
    expect(refused.script).toContain(
      "The laptop first asks 'west' whether it still reports DR primary, and stops if it does. The laptop promotes 'east' to primary",
    );
    expect(refused.lastResult).toMatch(/: 'west' still reports DR primary: promoting now makes two primaries/);
    // What the screen shows of the check: the plan's peers, and each one's answer with its cluster named.
    expect(refused.plan.peerProfiles).toEqual(['west']);
    expect(refused.reported.filter((a) => a.profile === 'west')).toMatchObject([
      { step: 'promote', call: 'GET sys/replication/dr/status', ok: true, replication: { mode: 'primary' } },
    ]);
    expect(v.value.cluster('drSecondary').replication.dr.mode).toBe('secondary');
    await ceremony.shutdown();
    await must('app.selectMode', { mode: 'rehearsal' });
  });
});

describe('an in-app rehearsal on 3-node clusters, with a drill mid-ceremony', () => {
  it('offers the leader-change drills; after a step-down the lost attempt is a witnessed deviation and the ceremony restarts and promotes', async () => {
    const setup = { officers: 3, threshold: 2, vaultVersion: 1, nodes: 3, keyPassphrase: PASSPHRASE } as const;
    const started = (await must('ceremony.startRehearsal', setup)).ceremony!;
    expect(started.drills).toEqual(['step-down', 'hard-kill']);
    const running = await rehearsal.vault();
    if (!running.ok) throw new Error(running.error.message);
    const [first, second] = running.value.drSecondary.nodes;

    const midway = await play(started.kitDir!, { stop: (s) => s.progress?.entered === 1 });
    const nonce = midway.nonce;
    const drilled = await must('ceremony.drill', { drill: 'step-down' });
    expect(drilled.done).toBe(`${first!.id} stepped down; ${second!.id} is active now`);
    // The ceremony was not told: it finds the change on its next call.
    expect(drilled.ceremony).toMatchObject({ step: midway.step, nonce });

    const end = await play(started.kitDir!);
    expect(end).toMatchObject({ step: 'finished', committed: true });
    expect(end.drills).toEqual([]);
    const journal = readFileSync(end.journal.path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; details: Record<string, unknown> });
    expect(journal.filter((e) => e.type === 'active-node').map((e) => e.details['node'])).toEqual([
      first!.apiAddr,
      second!.apiAddr,
    ]);
    expect(journal.find((e) => e.type === 'deviation')?.details).toMatchObject({ kind: 'attempt-lost' });
    expect(journal.some((e) => e.type === 'deviation-witnessed')).toBe(true);
    expect(running.value.cluster('drSecondary').replication.dr.mode).toBe('primary');
    await must('ceremony.close', {});
  });

  it('refuses a drill on a single-node rehearsal, changing nothing', async () => {
    const started = (await must('ceremony.startRehearsal', { officers: 2, threshold: 2, vaultVersion: 1 })).ceremony!;
    expect(started.drills).toEqual([]);
    expect(await call('ceremony.drill', { drill: 'step-down' })).toMatchObject({
      ok: false,
      error: { kind: 'drill-unavailable', message: expect.stringContaining('3 or 5 nodes') },
    });
    // Aborted (authorised by signatures, then the transcript signed) so the ceremony ends and may close.
    await must('ceremony.act', { type: 'abort', actor: started.plan.administrator.name, reason: 'test over' });
    expect((await play(started.kitDir!)).step).toBe('aborted');
    await must('ceremony.close', {});
  });
});

describe('starting from a plan file', () => {
  it('refuses a live plan in a rehearsal session, and an invalid plan naming the field', async () => {
    const plan = join(dir, 'plan.yaml');
    writeFileSync(
      plan,
      'format: 1\nid: dr-dc2\ntitle: t\nkind: promotion\nrehearsal: false\nprofile: dc2\nvault_version: 1\ntoken_path: operation-token-quorum\nthreshold: 3\nadministrator: {name: Ann, fingerprint: "' +
        'a'.repeat(40) +
        '"}\nwitnesses: []\n',
    );
    expect(await call('ceremony.startFromPlan', { planPath: plan })).toMatchObject({
      ok: false,
      error: { kind: 'plan-unreadable', message: expect.stringContaining('witnesses must name at least one witness') },
    });
    writeFileSync(
      plan,
      readFileSync(plan, 'utf8').replace(
        'witnesses: []',
        `witnesses: [{name: Wes, fingerprint: "${'b'.repeat(40)}"}]\nofficers: [{name: Olu, fingerprint: "${'c'.repeat(40)}"}, {name: Ola, fingerprint: "${'d'.repeat(40)}"}, {name: Oma, fingerprint: "${'e'.repeat(40)}"}]`,
      ),
    );
    expect(await call('ceremony.startFromPlan', { planPath: plan })).toMatchObject({
      ok: false,
      error: { kind: 'wrong-session', message: expect.stringContaining("choose 'dc2' on the Start screen") },
    });
    expect(await must('ceremony.status', {})).toEqual({ ceremony: null });
    expect(await call('ceremony.startFromPlan', { planPath: join(dir, 'absent.yaml') })).toMatchObject({
      ok: false,
      error: { kind: 'file-unreadable', message: expect.stringContaining('does not exist') },
    });
  });
});

describe('starting an operation from the Operations screen', () => {
  it('refuses a live cluster and an operation missing a field, then starts one on a rehearsal cluster', async () => {
    const operation = { id: 'secondary-token', replication: 'dr', ttl: '30m' } as const;
    expect(
      await call('ceremony.startOperation', { target: { kind: 'profile', name: 'dc1' }, operation }),
    ).toMatchObject({ ok: false, error: { kind: 'live-operation-needs-people' } });
    const target = { kind: 'rehearsal', cluster: 'primary' } as const;
    expect(await call('ceremony.startOperation', { target, operation })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining("operation.secondary_id is required for operation 'secondary-token'") },
    });
    expect(await must('ceremony.status', {})).toEqual({ ceremony: null });

    const started = (
      await must('ceremony.startOperation', { target, operation: { ...operation, secondary_id: 'dc3' } })
    ).ceremony!;
    expect(started.plan).toMatchObject({
      kind: 'operation',
      profile: 'primary',
      tokenPath: 'vault-token',
      operation: { id: 'secondary-token', destructive: false },
    });
    expect(started.step).toBe('roll-call');
    // Nothing to hand over before the call: no token, and no channel gives one.
    expect(started.activationToken).toBeNull();
    expect(await call('ceremony.revealActivationToken', {})).toMatchObject({
      ok: false,
      error: { kind: 'no-activation-token' },
    });
    expect(await call('ceremony.copyActivationToken', {})).toMatchObject({
      ok: false,
      error: { kind: 'no-activation-token' },
    });
  });
});

describe('a failback rehearsal in the app, as its own ceremony', () => {
  const kits = () => readdirSync(join(dir, 'data', 'rehearsals'));
  const oldPrimaryMode = async () => {
    const status = await must('replication.status', { target: { kind: 'rehearsal', cluster: 'primary' } });
    return status.replication.ok ? status.replication.value.dr.mode : status.replication.error.message;
  };

  /** Plays the failback in `kit` to the end, exports it, and checks the bundle and the old primary. */
  async function failBack(kit: string, out: string) {
    const end = await play(kit);
    expect(end).toMatchObject({ step: 'finished', committed: true, looseEnds: [] });
    const report = await must('ceremony.export', { dir: out });
    expect(report).toMatchObject({ valid: true, rehearsal: true, problems: [] });
    const verified = await verifyBundle(out);
    expect(verified.valid).toBe(true);
    // demote and update-primary each signed by the administrator and a witness.
    expect(verified.authorisations.map((a) => [a.step, a.signer, a.good])).toEqual([
      ['demote', 'administrator', true],
      ['demote', 'witness-1', true],
      ['update-primary', 'administrator', true],
      ['update-primary', 'witness-1', true],
    ]);
    const transcript = readFileSync(join(out, 'transcript.txt'), 'utf8');
    expect(transcript).toContain('sys/replication/dr/primary/demote');
    expect(transcript).toContain('sys/replication/dr/secondary/update-primary');
    expect(await oldPrimaryMode()).toBe('secondary');
    const vault = await rehearsal.vault();
    for (const file of [join(kit, 'ceremony', 'journal.jsonl'), join(out, 'transcript.txt')])
      expect(readFileSync(file, 'utf8')).not.toContain(vault.ok ? vault.value.rootToken : '?');
  }

  it('follows a finished promotion rehearsal: the old primary demoted and made to follow the new one', async () => {
    await ceremony.shutdown();
    await must('ceremony.startRehearsal', { officers: 3, threshold: 2, vaultVersion: 1, keyPassphrase: PASSPHRASE });
    const promotion = await snapshot();
    // Not while the promotion is under way, nor before it promoted anything.
    await play(promotion.kitDir!, { stop: (s) => s.input === 'share' });
    expect(await call('ceremony.startFailbackRehearsal', {})).toMatchObject({
      ok: false,
      error: { kind: 'ceremony-running' },
    });
    await ceremony.shutdown();
    const before = kits();
    expect(await call('ceremony.startFailbackRehearsal', {})).toMatchObject({
      ok: false,
      error: { kind: 'no-promotion', message: expect.stringContaining('rehearse the promotion first') },
    });
    expect(kits()).toEqual(before);

    await must('ceremony.startRehearsal', { officers: 3, threshold: 2, vaultVersion: 1, keyPassphrase: PASSPHRASE });
    const promoted = await play((await snapshot()).kitDir!);
    expect(promoted).toMatchObject({ step: 'finished', committed: true, plan: { kind: 'promotion' } });

    // The finished promotion is put away, its journal kept in its kit; the failback gets its own kit.
    const started = (await must('ceremony.startFailbackRehearsal', { keyPassphrase: PASSPHRASE })).ceremony!;
    expect(started).toMatchObject({
      step: 'roll-call',
      plan: { kind: 'failback', rehearsal: true, profile: 'primary', threshold: 2 },
    });
    expect(started.kitDir).not.toBe(promoted.kitDir);
    expect(started.steps.map((s) => s.id)).toEqual(
      expect.arrayContaining(['demote', 'share-entry', 'create-secondary-token', 'update-primary', 'check-failback']),
    );
    expect(existsSync(join(promoted.kitDir!, 'ceremony', 'journal.jsonl'))).toBe(true);
    expect(await oldPrimaryMode()).toBe('primary');
    await failBack(started.kitDir!, join(dir, 'failback-bundle'));

    // Failed back already: a second failback on this Vault is refused, changing nothing.
    await must('ceremony.close', {});
    const after = kits();
    expect(await call('ceremony.startFailbackRehearsal', {})).toMatchObject({
      ok: false,
      error: { kind: 'failed-back-already' },
    });
    expect(kits()).toEqual(after);
  });

  it('on a fresh Vault 2.x rehearsal Vault, plays the promotion first (its own bundle in the kit), then the failback', async () => {
    expect(
      await call('ceremony.startFailbackRehearsal', {
        fresh: { officers: 1, threshold: 1, vaultVersion: 1, officerKeyPaths: [join(dir, 'officer.pub.asc')] },
      }),
    ).toMatchObject({ ok: false, error: { kind: 'invalid-rehearsal', message: expect.stringContaining('own keys') } });

    const started = (
      await must('ceremony.startFailbackRehearsal', {
        fresh: { officers: 3, threshold: 2, vaultVersion: 2, keyPassphrase: PASSPHRASE },
      })
    ).ceremony!;
    expect(started).toMatchObject({ plan: { kind: 'failback', tokenPath: 'primary-root-token' } });
    const kit = started.kitDir!;
    const staged = await verifyBundle(join(kit, 'promotion'));
    expect(staged.valid).toBe(true);
    expect(readFileSync(join(kit, 'promotion', 'transcript.txt'), 'utf8')).toContain('REHEARSAL');
    await failBack(kit, join(dir, 'fresh-failback-bundle'));
  });
});

describe('an operation on a live cluster, its plan prepared in the app', () => {
  it('names the administrator and witnesses with their keys, refuses what it cannot prepare, and runs', async () => {
    await ceremony.shutdown();
    const v = await rehearsal.restart({ officers: 3, threshold: 2 });
    if (!v.ok) throw new Error(v.error.message);
    const kit = join(dir, 'live-operation-kit');
    mkdirSync(join(kit, 'signers'), { recursive: true });
    const [ann, wes] = await liveSigners(kit);
    const file = await liveSession(kit, v.value, { name: 'dc1', address: v.value.primary.apiAddr });
    const target = { kind: 'profile', name: 'dc1' } as const;
    const operation = { id: 'secondary-token', replication: 'dr', secondary_id: 'dc3', ttl: '30m' } as const;
    // Ann by her public key file, Wes by the fingerprint he reads from his card, in gpg's groups.
    const people = {
      administrator: { name: 'Ann', publicKeyPath: file('ann.pub.asc', ann!.publicKeyArmored) },
      witnesses: [{ name: 'Wes', fingerprint: wes!.fingerprint.toUpperCase().replace(/(.{4})/g, '$1 ') }],
    };
    const refused = async (arg: ArgIn<'ceremony.startOperation'>, kind: string) => {
      expect(await call('ceremony.startOperation', arg)).toMatchObject({ ok: false, error: { kind } });
      expect(await must('ceremony.status', {})).toEqual({ ceremony: null });
    };
    await refused(
      { target, operation: { id: 'update-primary', replication: 'dr', method: 'token' }, people },
      'live-operation-needs-plan',
    );
    await refused({ target, operation, people: { ...people, witnesses: [{ name: 'Wes' }] } }, 'person-key-required');
    await refused(
      {
        target,
        operation,
        people: { ...people, administrator: { ...people.administrator, fingerprint: wes!.fingerprint } },
      },
      'person-key-mismatch',
    );
    await refused({ target: { kind: 'profile', name: 'dc2' }, operation, people }, 'wrong-session');
    // A live session does not rehearse on the rehearsal Vault.
    expect(await call('ceremony.startFailbackRehearsal', {})).toMatchObject({
      ok: false,
      error: { kind: 'wrong-session' },
    });

    const started = (await must('ceremony.startOperation', { target, operation, people })).ceremony!;
    expect(started.plan).toMatchObject({
      kind: 'operation',
      rehearsal: false,
      profile: 'dc1',
      tokenPath: 'vault-token',
      administrator: { name: 'Ann', fingerprint: ann!.fingerprint },
      witnesses: [{ name: 'Wes', fingerprint: wes!.fingerprint }],
    });
    expect(started.kitDir).toBeNull();
    expect(started.journal.path.startsWith(join(dir, 'data', 'ceremonies'))).toBe(true);
    const end = await play(kit, { passphrase: '', vaultToken: v.value.rootToken });
    expect(end).toMatchObject({ step: 'finished', committed: true });
    const out = join(dir, 'live-operation-bundle');
    expect(await must('ceremony.export', { dir: out })).toMatchObject({ valid: true, rehearsal: false });
    expect(readFileSync(join(out, 'transcript.txt'), 'utf8')).toContain('sys/replication/dr/primary/secondary-token');
    expect(readFileSync(end.journal.path, 'utf8')).not.toContain(v.value.rootToken);
    await must('ceremony.close', {});
    await must('app.selectMode', { mode: 'rehearsal' });
  });
});
