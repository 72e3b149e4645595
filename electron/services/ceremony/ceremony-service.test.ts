// @tier integration
/**
 * The ceremony service against a real in-process rehearsal Vault over mutual TLS: share entry's
 * refusals (another officer's share, a wrong passphrase) change nothing and the ceremony then goes
 * on; a share is not sent when someone else restarted the attempt; a journal that cannot be
 * written stops the service before its next Vault call; an aborted ceremony calls Vault no more,
 * and is signed (across a restart) and exported like any other; a refused key during the signing
 * leaves the record closed, a note reopens it (across a restart too) and everyone signs again.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePlan, type CeremonyPlan } from '../../../shared/ceremony/ceremony-plan';
import { startRehearsalVault, type RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { createVaultClient, type VaultClient } from '../vault/client';
import { readSignedTranscript } from '../transcript/signing';
import { verifyBundle } from '../transcript/verify';
import { startCeremony, type CeremonyService } from './ceremony-service';
import { resumeCeremony } from './ceremony-recovery';
import { castSigner, playCeremony } from '../rehearsal/headless-driver';
import { generateSigners, rehearsalPlan, type RehearsalCast } from '../rehearsal/rehearsal-cast';
import { connectTarget, DR_SECONDARY_PROFILE } from '../rehearsal/rehearsal-target';

const OFFICER_PASSPHRASE = 'correct horse battery staple';
const isRoot = process.getuid?.() === 0;

let root: string;
let vault: RehearsalVault;
let client: VaultClient;
let cast: RehearsalCast;
let calls: string[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vc-service-'));
  const started = await startRehearsalVault({ officers: 3, threshold: 2, passphrase: OFFICER_PASSPHRASE });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  const target = await connectTarget({ kind: 'in-process', vault, officerPassphrase: OFFICER_PASSPHRASE });
  if (!target.ok) throw new Error(target.error.message);
  calls = [];
  client = counting(target.value.client, calls);
  cast = { ...(await generateSigners('random')), officers: target.value.officers };
});

afterAll(async () => {
  client?.close();
  await vault?.close();
  rmSync(root, { recursive: true, force: true });
});

function plan(id: string): CeremonyPlan {
  const p = rehearsalPlan(cast, { id, threshold: 2, profile: DR_SECONDARY_PROFILE });
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
}

async function start(id: string, log: string[] = []): Promise<CeremonyService> {
  const r = await startCeremony(plan(id), {
    journalPath: join(root, `${id}.jsonl`),
    clients: { [DR_SECONDARY_PROFILE]: client },
    officerKeys: cast.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
    log: (line) => log.push(line),
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** A rehearsal Vault of the describe block's own, started before its tests and closed after them: a client of it. */
function ownVault(wrap: (client: VaultClient) => VaultClient = (c) => c): () => VaultClient {
  let own: RehearsalVault | undefined;
  let ownClient: VaultClient | undefined;
  beforeAll(async () => {
    const started = await startRehearsalVault({ officers: 3, threshold: 2, passphrase: OFFICER_PASSPHRASE });
    if (!started.ok) throw new Error(started.error.message);
    own = started.value;
    const target = await connectTarget({ kind: 'in-process', vault: own, officerPassphrase: OFFICER_PASSPHRASE });
    if (!target.ok) throw new Error(target.error.message);
    ownClient = wrap(target.value.client);
  });
  afterAll(async () => {
    ownClient?.close();
    await own?.close();
  });
  return () => ownClient!;
}

/** Records the name of every client method called (close excluded). */
function counting(target: VaultClient, seen: string[]): VaultClient {
  const wrap = <T extends object>(obj: T, path: string): T =>
    new Proxy(obj, {
      get(o, prop) {
        const value = Reflect.get(o, prop) as unknown;
        const name = `${path}${String(prop)}`;
        if (typeof value === 'function')
          return (...args: unknown[]) => {
            if (name !== 'close') seen.push(name);
            return (value as (...a: unknown[]) => unknown).apply(o, args);
          };
        return value !== null && typeof value === 'object' ? wrap(value, `${name}.`) : value;
      },
    });
  return wrap(target, '');
}

const attemptProgress = async () => {
  const r = await client.drOperationToken.status();
  if (!r.ok) throw new Error(r.error.message);
  return { started: r.value.data.started, nonce: r.value.data.nonce, progress: r.value.data.progress };
};

describe('starting', () => {
  it('refuses, writing nothing, without a connection to each cluster the plan names to ask before promoting', async () => {
    const journalPath = join(root, 'peer-missing.jsonl');
    const before = calls.length;
    const r = await startCeremony(
      { ...plan('peer-missing'), peer_profiles: ['primary'] },
      {
        journalPath,
        clients: { [DR_SECONDARY_PROFILE]: client },
        officerKeys: cast.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
      },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('invalid-options');
      expect(r.error.message).toContain("'primary', which the plan names in peer_profiles");
    }
    expect(existsSync(journalPath)).toBe(false);
    expect(calls.length).toBe(before);
  });
});

describe.skipIf(!isRoot)('a journal that cannot be written', () => {
  it('stops the service before its next Vault call', async () => {
    const service = await start('journal-fails');
    await playCeremony(service, cast, { log: () => undefined, until: (s) => s.acknowledgements.length === 1 });
    const last = service.status().acknowledgements[0]!.anyOf[0]!;
    expect(service.status().step).toBe('roll-call');
    const before = calls.length;
    const path = service.status().journal.path;
    execFileSync('chattr', ['+i', path]);
    try {
      // The last roll-call answer would make the laptop read the replication status at once.
      const r = await service.act({ type: 'acknowledge', step: 'roll-call', actor: last.name, role: last.role });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.kind).toBe('journal-failed');
      expect(calls.length).toBe(before);
      expect(service.status().stopped).toBe(true);
      expect(service.status().step).toBe('roll-call');
      const again = await service.retry();
      expect(again.ok || again.error.kind).toBe('stopped');
    } finally {
      execFileSync('chattr', ['-i', path]);
      await service.close();
    }
  });
});

describe('share entry and the attempt', () => {
  let service: CeremonyService;
  const log: string[] = [];
  const officer = (i: number) => cast.officers[i]!;
  const events = () => service.status().journal.events;

  beforeAll(async () => {
    service = await start('shares', log);
    const played = await playCeremony(service, cast, { log: () => undefined, until: (s) => s.input === 'share' });
    if (!played.ok) throw new Error(played.error.message);
  });
  afterAll(() => service?.close());

  it('names the officer and key a share is for before anything is decrypted', async () => {
    const r = await service.inspectShare(officer(1).encryptedShare);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.officer).toBe(officer(1).name);
    expect(r.value.fingerprint).toBe(officer(1).fingerprint);
    expect(r.value.keyId).toMatch(/^0x[0-9A-F]{16}$/);
    expect(r.value.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses another officer's share, changing nothing", async () => {
    const before = { events: events(), attempt: await attemptProgress(), view: service.status() };
    const r = await service.submitShare({
      officer: officer(0).name,
      pasted: officer(1).encryptedShare,
      unlock: { kind: 'openpgp', privateKeyArmored: officer(0).privateKeyArmored, passphrase: OFFICER_PASSPHRASE },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe('wrong-officer');
    expect(r.error.message).toContain(`officer '${officer(1).name}'`);
    expect(r.error.message).toContain(`${officer(0).name} should paste their own share`);
    expect(events()).toBe(before.events);
    expect(await attemptProgress()).toEqual(before.attempt);
    expect(service.status()).toEqual(before.view);
  });

  it('refuses a wrong passphrase, changing nothing and never echoing it', async () => {
    const before = { events: events(), attempt: await attemptProgress() };
    const wrong = 'Tr0ub4dor&3 wrong passphrase';
    const r = await service.submitShare({
      officer: officer(0).name,
      pasted: officer(0).encryptedShare,
      unlock: { kind: 'openpgp', privateKeyArmored: officer(0).privateKeyArmored, passphrase: wrong },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe('decrypt-failed');
    expect(r.error.message).toMatch(/passphrase .* is wrong; nothing was decrypted or submitted/);
    expect(r.error.message).not.toContain(wrong);
    // The refusal is on the record, by its kind only; nothing else changed.
    expect(events()).toBe(before.events + 1);
    const journal = readFileSync(service.status().journal.path, 'utf8');
    const last = JSON.parse(journal.trim().split('\n').pop()!) as { type: string; actor: string; details: unknown };
    expect(last).toMatchObject({ type: 'key-refused', actor: officer(0).name, details: { kind: 'bad-passphrase' } });
    expect(await attemptProgress()).toEqual(before.attempt);
    expect(journal).not.toContain(wrong);
  });

  it('refuses a person acknowledging share entry without a share', async () => {
    const r = await service.act({ type: 'acknowledge', step: 'share-entry', actor: officer(0).name, role: 'officer' });
    expect(!r.ok && r.error.kind).toBe('use-dedicated-call');
  });

  it('then accepts the right share, re-reading the attempt before sending it', async () => {
    const before = events();
    calls.length = 0;
    const r = await service.submitShare({
      officer: officer(0).name,
      pasted: officer(0).encryptedShare,
      unlock: { kind: 'openpgp', privateKeyArmored: officer(0).privateKeyArmored, passphrase: OFFICER_PASSPHRASE },
    });
    expect(r.ok).toBe(true);
    expect(calls).toEqual(['drOperationToken.status', 'drOperationToken.submitShare']);
    expect(service.status().progress).toEqual({ entered: 1, required: 2 });
    expect((await attemptProgress()).progress).toBe(1);
    // Acknowledgement, the status read and the update (request and response each), the result.
    expect(events()).toBe(before + 6);
    const journal = readFileSync(service.status().journal.path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const result = journal[journal.length - 1];
    expect(result.type).toBe('service-result');
    expect(result.details.share).toMatchObject({
      officer: officer(0).name,
      form: 'pgp',
      fingerprint: officer(0).fingerprint,
    });
    expect(result.details.share.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not send a share when someone else replaced the attempt, and records the deviation', async () => {
    const ours = (await attemptProgress()).nonce;
    const theirs = await vault.faults.replaceAttempt('drSecondary');
    calls.length = 0;
    const r = await service.submitShare({
      officer: officer(1).name,
      pasted: officer(1).encryptedShare,
      unlock: { kind: 'openpgp', privateKeyArmored: officer(1).privateKeyArmored, passphrase: OFFICER_PASSPHRASE },
    });
    expect(r.ok).toBe(true);
    expect(calls).toEqual(['drOperationToken.status']);
    expect(await attemptProgress()).toEqual({ started: true, nonce: theirs, progress: 0 });
    const view = service.status();
    expect(view.step).toBe('cancel-attempt');
    expect(view.openDeviations.map((d) => d.kind)).toEqual(['nonce-changed']);
    expect(view.openDeviations[0]!.reason).toContain(ours);
    expect(log.some((l) => l.includes('deviation #1 (nonce-changed)'))).toBe(true);
  });

  it('takes a plaintext share too, recording only its form', async () => {
    const again = await playCeremony(service, cast, { log: () => undefined, until: (s) => s.input === 'share' });
    expect(again.ok && again.value.progress).toEqual({ entered: 0, required: 2 });
    const key = await openpgp.decryptKey({
      privateKey: await openpgp.readPrivateKey({ armoredKey: officer(2).privateKeyArmored }),
      passphrase: OFFICER_PASSPHRASE,
    });
    const message = await openpgp.readMessage({ binaryMessage: Buffer.from(officer(2).encryptedShare, 'base64') });
    const hex = Buffer.from((await openpgp.decrypt({ message, decryptionKeys: key, format: 'binary' })).data)
      .toString('utf8')
      .trim();
    const r = await service.submitShare({ officer: officer(2).name, pasted: hex, unlock: { kind: 'plaintext' } });
    expect(r.ok && r.value.progress).toEqual({ entered: 1, required: 2 });
    const journal = readFileSync(service.status().journal.path, 'utf8');
    expect(journal).toContain(`"share":{"form":"plaintext","officer":"${officer(2).name}"}`);
    expect(journal).not.toContain(hex);
  });

  it('then starts again with every share, promotes, and exports a bundle that verifies', async () => {
    const played = await playCeremony(service, cast, { log: () => undefined });
    expect(played.ok && played.value.step).toBe('finished');
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('primary');
    const dir = join(root, 'bundle');
    const report = await service.exportBundle(dir);
    expect(report.ok).toBe(true);
    const signed = await readSignedTranscript(readFileSync(join(dir, 'transcript.txt.asc'), 'utf8'));
    expect(signed.ok && signed.value.text).toBe(service.transcript());
    const again = await verifyBundle(dir);
    expect(again.valid).toBe(true);
    // What a resume tells its own bundle by: the ceremony and the head everyone signed, the bundle's journal's end.
    expect(service.signedRecord()).toEqual({ ceremonyId: service.plan.id, head: again.head });
    expect(service.status().journal.head).not.toBe(again.head);
    expect(again.signatures.map((s) => [s.signer, s.good])).toEqual([
      ['administrator', true],
      ['witness-1', true],
      ['witness-2', true],
    ]);
    const transcript = readFileSync(join(dir, 'transcript.txt.asc'), 'utf8');
    expect(transcript).toMatch(/Outcome: +promoted/);
    expect(transcript).toMatch(/Deviations: +[1-9]/);
    expect(transcript).toContain('nonce-changed');
  });
});

describe('failback, after the promotion above', () => {
  it('demotes the old primary and points it at the new one with an activation token', async () => {
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('primary');
    const connect = (name: string, address: string) =>
      createVaultClient({
        profileName: name,
        address,
        token: vault.rootToken,
        tls: { ca: vault.caPem, cert: vault.clientCertPem, key: vault.clientKeyPem },
      });
    const oldPrimary = connect('dc1', vault.primary.apiAddr);
    const newPrimary = connect('dc2', vault.drSecondary.apiAddr);
    const person = (m: { name: string; fingerprint: string }) => ({ name: m.name, fingerprint: m.fingerprint });
    const failback = validatePlan({
      format: 1,
      id: 'failback',
      title: 'Rehearsal: fail back to dc1',
      kind: 'failback',
      rehearsal: true,
      profile: 'dc1',
      vault_version: 1,
      token_path: 'operation-token-quorum',
      threshold: 2,
      administrator: person(cast.administrator),
      witnesses: cast.witnesses.map(person),
      officers: cast.officers.map(person),
      failback: { new_primary_profile: 'dc2', method: 'token', secondary_id: 'dc1' },
    });
    if (!failback.ok) throw new Error(failback.error.message);
    const started = await startCeremony(failback.value, {
      journalPath: join(root, 'failback.jsonl'),
      clients: { dc1: oldPrimary, dc2: newPrimary },
      officerKeys: cast.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
      // demote and secondary-token carry the Vault token the administrator enters (here the root token).
      withToken: async (profile, token) =>
        profile === 'dc1' || profile === 'dc2'
          ? createVaultClient({
              profileName: profile,
              address: profile === 'dc1' ? vault.primary.apiAddr : vault.drSecondary.apiAddr,
              token,
              tls: { ca: vault.caPem, cert: vault.clientCertPem, key: vault.clientKeyPem },
            })
          : undefined,
    });
    if (!started.ok) throw new Error(started.error.message);
    try {
      const played = await playCeremony(
        started.value,
        { ...cast, primaryRootToken: vault.rootToken },
        { log: () => undefined },
      );
      if (!played.ok) throw new Error(played.error.message);
      expect(played.value.step).toBe('finished');
      expect(vault.cluster('primary').replication.dr.mode).toBe('secondary');
      expect(vault.cluster('drSecondary').replication.dr.mode).toBe('primary');
      const journal = readFileSync(join(root, 'failback.jsonl'), 'utf8');
      expect(journal).toContain('"path":"sys/replication/dr/primary/demote"');
      expect(journal).toContain('"path":"sys/replication/dr/secondary/update-primary"');
      expect(journal).not.toContain(vault.rootToken);
    } finally {
      await started.value.close();
      oldPrimary.close();
      newPrimary.close();
    }
  });
});

describe('an aborted ceremony', () => {
  const REASON = 'the laptop tamper seal is broken';
  const seen: string[] = [];
  const abortClient = ownVault((c) => counting(c, seen));

  it('stops calling Vault, is signed by everyone (also across a restart) and exports a bundle that verifies', async () => {
    const options = {
      journalPath: join(root, 'aborted.jsonl'),
      clients: { [DR_SECONDARY_PROFILE]: abortClient() },
      officerKeys: cast.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
    };
    const started = await startCeremony(plan('aborted'), options);
    if (!started.ok) throw new Error(started.error.message);
    let service = started.value;
    const toShare = await playCeremony(service, cast, {
      log: () => undefined,
      until: (s) => s.step === 'share-entry' && s.progress?.entered === 1,
    });
    if (!toShare.ok) throw new Error(toShare.error.message);
    const nonce = service.status().nonce!;
    const witness = cast.witnesses[0]!.name;
    expect((await service.act({ type: 'abort', actor: witness, reason: REASON })).ok).toBe(true);
    const callsAtAbort = seen.length;

    // Authorised by the administrator and a witness, then only the signing: the administrator signs, the laptop restarts.
    const adminSigned = await playCeremony(service, cast, {
      log: () => undefined,
      until: (s) => s.signatures.length === 1,
    });
    if (!adminSigned.ok) throw new Error(adminSigned.error.message);
    expect(adminSigned.value).toMatchObject({ step: 'sign-transcript', input: 'signature' });
    expect(adminSigned.value.aborted).toMatchObject({ step: 'share-entry', reason: REASON, raisedBy: witness });
    expect(adminSigned.value.looseEnds).toEqual([
      `A DR operation token attempt (nonce ${nonce}) may still be open on '${DR_SECONDARY_PROFILE}': cancel it (DELETE sys/replication/dr/secondary/generate-operation-token/attempt).`,
    ]);
    expect(await service.exportBundle(join(root, 'too-early'))).toMatchObject({
      ok: false,
      error: { kind: 'not-ready' },
    });
    expect(service.signedRecord()).toBeUndefined();
    const transcript = service.transcript()!;
    expect(transcript).toMatch(/^Outcome: +ABORTED$/m);
    expect(transcript).toContain(`      abort.reason: "${REASON}"\n`);
    expect(transcript).toContain(`      abort.authorised_by[0]: "${cast.administrator.name}"\n`);
    expect(transcript).toContain(`      abort.authorised_by[1]: "${witness}"\n`);
    expect(transcript).toContain(`      loose_ends[0]: "A DR operation token attempt (nonce ${nonce})`);
    await service.close();

    const resumed = await resumeCeremony(options);
    if (!resumed.ok) throw new Error(resumed.error.message);
    service = resumed.value;
    try {
      // The restart follows the head the administrator signed: the record reopens, and everyone signs it anew.
      expect(service.status()).toMatchObject({ step: 'sign-transcript', signatures: [] });
      expect(service.transcript()).toBeUndefined();
      expect(service.status().openDeviations.map((d) => d.kind)).toEqual(['resumed']);
      const ended = await playCeremony(service, cast, { log: () => undefined });
      if (!ended.ok) throw new Error(ended.error.message);
      expect(ended.value.step).toBe('aborted');
      // No Vault call after the abort, not even the reads a restart makes: the attempt is left as it was.
      expect(seen.slice(callsAtAbort)).toEqual([]);
      const left = await abortClient().drOperationToken.status();
      expect(left.ok && left.value.data).toMatchObject({ started: true, nonce, progress: 1 });

      const dir = join(root, 'aborted-bundle');
      const exported = await service.exportBundle(dir);
      expect(exported.ok).toBe(true);
      const report = await verifyBundle(dir);
      expect(report.problems).toEqual([]);
      expect(report.outcome).toBe('aborted');
      expect(report.signatures.map((s) => s.good)).toEqual([true, true, true]);
      const bundled = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
      for (const type of ['interruption', 'ceremony-resumed', 'deviation-witnessed'])
        expect(bundled).toContain(`"type":"${type}"`);
      expect(report.authorisations.map((a) => [a.step, a.role, a.action])).toEqual([
        ['share-entry', 'administrator', `abort: "${REASON}"`],
        ['share-entry', 'witness', `abort: "${REASON}"`],
      ]);
    } finally {
      await service.close();
    }
  });
});

describe('during the signing', () => {
  const NOTE = 'the second witness saw the administrator read the transcript from a photo';
  const signingClient = ownVault();

  /** A cancelled ceremony of its own, signed by the administrator so far. */
  async function signedByAdministrator(id: string) {
    const options = {
      journalPath: join(root, `${id}.jsonl`),
      clients: { [DR_SECONDARY_PROFILE]: signingClient() },
      officerKeys: cast.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
    };
    const started = await startCeremony(plan(id), options);
    if (!started.ok) throw new Error(started.error.message);
    const service = started.value;
    expect((await service.act({ type: 'cancel', actor: cast.administrator.name, reason: 'a drill' })).ok).toBe(true);
    const adminSigned = await playCeremony(service, cast, {
      log: () => undefined,
      until: (s) => s.signatures.length === 1,
    });
    if (!adminSigned.ok) throw new Error(adminSigned.error.message);
    return { service, options };
  }

  it('keeps the record closed for a refused key, and reopens it for a note: everyone signs anew', async () => {
    const { service, options } = await signedByAdministrator('noted');
    try {
      const [first, second] = cast.witnesses;
      const closedAt = service.transcript()!;

      // The first witness offers the administrator's key: refused, journaled, and the record stays closed.
      const wrongKey = await castSigner(cast.administrator);
      if (!wrongKey.ok) throw new Error(wrongKey.error.message);
      expect(await service.sign({ signer: first!.name, key: wrongKey.value })).toMatchObject({
        ok: false,
        error: { kind: 'signing-failed' },
      });
      const journalLines = () => readFileSync(options.journalPath, 'utf8').trim().split('\n');
      expect(JSON.parse(journalLines().at(-1)!)).toMatchObject({ type: 'key-refused', actor: first!.name });
      expect(service.transcript()).toBe(closedAt);
      expect(service.status().signatures.map((s) => s.signer)).toEqual([cast.administrator.name]);

      // A witness's note reopens it: the administrator's signature no longer covers the record.
      const noted = await service.act({ type: 'deviation', kind: 'note', actor: second!.name, reason: NOTE });
      if (!noted.ok) throw new Error(noted.error.message);
      expect(noted.value).toMatchObject({ step: 'sign-transcript', signatures: [] });
      expect(noted.value.lastResult).toContain(`(${cast.administrator.name}) do not cover it`);
      expect(noted.value.openDeviations.map((d) => d.kind)).toEqual(['note']);
      expect(service.transcript()).toBeUndefined();
      expect(await service.exportBundle(join(root, 'noted-too-early'))).toMatchObject({
        ok: false,
        error: { kind: 'not-ready' },
      });

      const ended = await playCeremony(service, cast, { log: () => undefined });
      if (!ended.ok) throw new Error(ended.error.message);
      expect(ended.value.step).toBe('cancelled');
      expect(ended.value.signatures.map((s) => s.signer)).toEqual([
        cast.administrator.name,
        ...cast.witnesses.map((w) => w.name),
      ]);
      const transcript = service.transcript()!;
      expect(transcript).toContain(NOTE);
      expect(transcript).toContain('key-refused');

      const dir = join(root, 'noted-bundle');
      expect((await service.exportBundle(dir)).ok).toBe(true);
      const report = await verifyBundle(dir);
      expect(report.problems).toEqual([]);
      expect(report.signatures.map((s) => s.good)).toEqual([true, true, true]);
      const bundled = readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n');
      const types = bundled.map((line) => (JSON.parse(line) as { type: string }).type);
      expect(types.filter((t) => t === 'ceremony-finished')).toHaveLength(2);
      expect(types.slice(types.indexOf('ceremony-finished'))).toEqual([
        'ceremony-finished',
        'step-acknowledged',
        'service-result',
        'key-refused',
        'deviation',
        'deviation-witnessed',
        'ceremony-finished',
      ]);
    } finally {
      await service.close();
    }
  });

  it('resumes a record a note reopened still open: the note and the restart are witnessed, then everyone signs', async () => {
    const { service: before, options } = await signedByAdministrator('noted-restart');
    const noted = await before.act({ type: 'deviation', kind: 'note', actor: cast.witnesses[1]!.name, reason: NOTE });
    if (!noted.ok) throw new Error(noted.error.message);
    await before.close();

    const resumed = await resumeCeremony(options);
    if (!resumed.ok) throw new Error(resumed.error.message);
    const service = resumed.value;
    try {
      expect(service.status()).toMatchObject({ step: 'sign-transcript', signatures: [] });
      expect(service.transcript()).toBeUndefined();
      expect(service.status().openDeviations.map((d) => d.kind)).toEqual(['note', 'resumed']);
      const journal = readFileSync(options.journalPath, 'utf8').trim().split('\n');
      const interruption = journal.map((line) => JSON.parse(line) as JsonEntry).find((e) => e.type === 'interruption');
      expect(interruption?.details).toMatchObject({ record_closed: false });

      const ended = await playCeremony(service, cast, { log: () => undefined });
      if (!ended.ok) throw new Error(ended.error.message);
      expect(ended.value.signatures).toHaveLength(3);
      const dir = join(root, 'noted-restart-bundle');
      expect((await service.exportBundle(dir)).ok).toBe(true);
      const report = await verifyBundle(dir);
      expect(report.problems).toEqual([]);
      expect(report.signatures.map((s) => s.good)).toEqual([true, true, true]);
      expect(service.transcript()).toContain(NOTE);
    } finally {
      await service.close();
    }
  });
});

type JsonEntry = { type: string; details: Record<string, unknown> };
