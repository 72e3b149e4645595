// @tier integration
/**
 * Secret-leak test: full headless rehearsals in this process (the code `vault-ceremony rehearse`
 * runs, for a promotion and for a failback), collecting every secret each handled: each share's
 * plaintext, the OTPs, the encoded and the decoded DR operation tokens and the failback's secondary
 * activation token (seen on the wire through an observing client), every passphrase and every
 * private key. None of them, in any common encoding, may appear in any file written under the
 * output folder, in the journal, the transcript, or the progress log.
 */
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRehearsal, type RehearsalResult } from '../electron/services/rehearsal/headless-rehearsal';
import type { RehearsalKind } from '../electron/services/rehearsal/rehearsal-ceremony';
import { generateSigners, rehearsalPassphrase, type Signers } from '../electron/services/rehearsal/rehearsal-cast';
import { startRehearsalVault, type RehearsalVault } from '../rehearsal-vault/rehearsal-cluster-set';
import { filesUnder } from './support/files-under';
import { newWire, observing, type Wire } from './support/wire-observer';

const root = mkdtempSync(join(tmpdir(), 'vc-leak-'));
const officerPassphrase = rehearsalPassphrase();

interface Run {
  readonly out: string;
  /** Every file under `out` as it stood when each bundle was written, before the working folders went. */
  readonly written: ReadonlyMap<string, string>;
  readonly vault: RehearsalVault;
  readonly signers: Signers;
  readonly seen: Wire;
  readonly log: string[];
  readonly result: RehearsalResult;
}

async function rehearseObserved(kind: RehearsalKind): Promise<Run> {
  const started = await startRehearsalVault({ officers: 5, threshold: 3, passphrase: officerPassphrase });
  if (!started.ok) throw new Error(started.error.message);
  const vault = started.value;
  const signers = await generateSigners('random');
  const seen = newWire();
  const log: string[] = [];
  const written = new Map<string, string>();
  const out = join(root, kind);
  const r = await runRehearsal({
    out,
    kind,
    target: { kind: 'in-process', vault, officerPassphrase },
    signers,
    log: (line) => {
      log.push(line);
      if (/bundle written to /.test(line))
        for (const file of filesUnder(out)) written.set(file, readFileSync(file, 'latin1'));
    },
    observeClient: (c) => observing(c, seen),
  });
  if (!r.ok) throw new Error(r.error.message);
  return { out, written, vault, signers, seen, log, result: r.value };
}

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The value as text, and its bytes in hex (both cases), base64 (padded and not) and base64url. */
function encodings(text: string, raw: Buffer = Buffer.from(text, 'utf8')): string[] {
  const b64 = raw.toString('base64');
  return [
    text,
    raw.toString('hex'),
    raw.toString('hex').toUpperCase(),
    b64,
    b64.replace(/=+$/, ''),
    raw.toString('base64url'),
  ];
}

async function secrets({ vault, seen, signers }: Run): Promise<Map<string, string[]>> {
  const all = new Map<string, string[]>();
  const add = (label: string, forms: string[]) =>
    all.set(
      label,
      forms.filter((f) => f.length >= 8),
    );
  // Each officer's share, decrypted here independently of the service.
  for (const o of vault.officers) {
    const privateKey = await openpgp.decryptKey({
      privateKey: await openpgp.readPrivateKey({ armoredKey: o.privateKeyArmored! }),
      passphrase: officerPassphrase,
    });
    const message = await openpgp.readMessage({ binaryMessage: Buffer.from(o.encryptedShare, 'base64') });
    const { data } = await openpgp.decrypt({ message, decryptionKeys: privateKey, format: 'binary' });
    const hex = Buffer.from(data).toString('utf8').trim();
    add(`${o.name}'s share (hex text)`, encodings(hex));
    add(`${o.name}'s share (raw bytes)`, encodings(hex, Buffer.from(hex, 'hex')));
    add(`${o.name}'s private key`, armorBody(o.privateKeyArmored!));
  }
  seen.otps.forEach((otp, i) => add(`OTP ${i + 1}`, encodings(otp)));
  seen.keys.forEach((key, i) => add(`share sent ${i + 1}`, encodings(key, Buffer.from(key, 'hex'))));
  seen.encoded.forEach((enc, i) =>
    add(`encoded token ${i + 1}`, [...encodings(enc), ...encodings(enc, Buffer.from(enc, 'base64'))]),
  );
  seen.tokens.forEach((token, i) => add(`DR operation token (use ${i + 1})`, encodings(token)));
  seen.activation.forEach((token, i) => add(`secondary activation token (seen ${i + 1})`, encodings(token)));
  add('officer passphrase', encodings(officerPassphrase));
  for (const m of [signers.administrator, ...signers.witnesses]) {
    add(`${m.name}'s passphrase`, encodings(m.passphrase!));
    add(`${m.name}'s private key`, armorBody(m.privateKeyArmored));
  }
  add('rehearsal root token', encodings(vault.rootToken));
  add('TLS client key', armorBody(vault.clientKeyPem));
  return all;
}

/** Every base64 line of an armored block: any one of them appearing would leak part of the key. */
function armorBody(armored: string): string[] {
  return armored.split('\n').filter((l) => /^[A-Za-z0-9+/=]{16,}$/.test(l));
}

/** What a rehearsal leaves: the bundle alone, its working folder (ceremony/) removed once it verified. */
const BUNDLE = [
  'journal.jsonl',
  'signers/administrator.pub.asc',
  'signers/witness-1.pub.asc',
  'signers/witness-2.pub.asc',
  'transcript.txt',
  'transcript.txt.asc',
  'transcript.txt.sig',
];

/** Every secret found in a file under `out` or in the log, by label and place. */
async function leaks(run: Run): Promise<string[]> {
  const places = [
    ...filesUnder(run.out).map((f) => ({ where: f, text: readFileSync(f, 'latin1') })),
    ...[...run.written].map(([f, text]) => ({ where: `${f} (while the run wrote it)`, text })),
    { where: 'the progress log', text: run.log.join('\n') },
  ];
  const found: string[] = [];
  for (const [label, forms] of await secrets(run)) {
    expect(forms.length).toBeGreaterThan(0);
    for (const { where, text } of places) if (forms.some((f) => text.includes(f))) found.push(`${label} in ${where}`);
  }
  return found;
}

/** Runs one observed rehearsal of this kind before the suite's tests, and closes its Vault after them. */
function observedRehearsal(kind: RehearsalKind): () => Run {
  let run: Run | undefined;
  beforeAll(async () => {
    run = await rehearseObserved(kind);
  });
  afterAll(() => run?.vault.close());
  return () => {
    if (!run) throw new Error(`the ${kind} rehearsal did not run`);
    return run;
  };
}

describe('a full rehearsal', () => {
  const run = observedRehearsal('promotion');

  it('promoted the DR secondary and wrote a bundle that verifies', () => {
    expect(run().result.committed).toBe(true);
    expect(run().result.report.valid).toBe(true);
    expect(run().vault.cluster('drSecondary').replication.dr.mode).toBe('primary');
  });

  it('saw every secret it must then keep out of every file and the log', () => {
    const { seen } = run();
    expect(seen.otps).toHaveLength(1);
    expect(seen.keys).toHaveLength(3);
    expect(seen.encoded).toHaveLength(1);
    expect(seen.tokens).toHaveLength(2);
    expect(seen.tokens[0]).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
  });

  it('writes no secret, in any common encoding, to any file or to its progress log', async () => {
    // The working folder, checked as it stood before it went: a crash would have left it.
    expect([...run().written.keys()].map((f) => f.slice(run().out.length + 1)).sort()).toEqual(
      [
        ...BUNDLE,
        'ceremony/journal.jsonl',
        'ceremony/journal.jsonl.lock',
        'ceremony/journal.jsonl.signing.json',
        'ceremony/plan.yaml',
      ].sort(),
    );
    expect(
      filesUnder(run().out)
        .map((f) => f.slice(run().out.length + 1))
        .sort(),
    ).toEqual(BUNDLE);
    expect(await leaks(run())).toEqual([]);
  });

  it('records commitments instead: the journal names each share by its ciphertext hash and key', () => {
    const journal = readFileSync(join(run().out, 'journal.jsonl'), 'utf8');
    const shares = journal
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.details.share);
    expect(shares.map((e) => e.details.share.officer)).toEqual(['officer-1', 'officer-2', 'officer-3']);
    for (const e of shares) expect(e.details.share.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run().log.some((l) => /accepted: 2 of 3/.test(l))).toBe(true);
    expect(run().log.some((l) => /nonce [0-9a-f-]{36}/.test(l))).toBe(true);
  });
});

describe('a full failback rehearsal', () => {
  const run = observedRehearsal('failback');

  it('left the old primary following the new one, with both bundles written', () => {
    expect(run().result.committed).toBe(true);
    expect(run().result.failback).toMatchObject({ mode: 'secondary', following: true });
    expect(run().vault.cluster('primary').replication.dr.mode).toBe('secondary');
    expect(
      filesUnder(run().out)
        .map((f) => f.slice(run().out.length + 1))
        .sort(),
    ).toEqual([...BUNDLE, ...BUNDLE.map((f) => `promotion/${f}`)].sort());
  });

  it('saw the DR operation tokens and the activation token cross the wire', () => {
    const { seen } = run();
    // The promotion that set the scene, then the failback: an OTP, three shares and a token each.
    expect(seen.otps).toHaveLength(2);
    expect(seen.keys).toHaveLength(6);
    // promote + delete, then update-primary + delete.
    expect(seen.tokens).toHaveLength(4);
    expect(seen.tokens[2]).toBe(seen.tokens[3]);
    // Made by the new primary, then sent to the demoted one.
    expect(seen.activation).toHaveLength(2);
    expect(seen.activation[0]).toBe(seen.activation[1]);
    expect(seen.activation[0]!.split('.')).toHaveLength(3);
  });

  it('journals demote and update-primary with their secrets redacted, and writes no secret anywhere', async () => {
    const events = readFileSync(join(run().out, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const request = (path: string) =>
      events.find((e) => e.type === 'vault-request' && e.details.path === path)?.details;
    expect(request('sys/replication/dr/primary/demote')).toMatchObject({ method: 'POST', profile: 'primary' });
    expect(request('sys/replication/dr/secondary/update-primary')).toMatchObject({
      profile: 'primary',
      // The DR operation token as a commitment (it ties the request to the deletion), the activation token not at all.
      body: { dr_operation_token: { redacted: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }, token: '[redacted]' },
    });
    expect(await leaks(run())).toEqual([]);
  });
});
