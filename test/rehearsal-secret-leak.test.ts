/**
 * Secret-leak test: one full headless rehearsal in this process (the code `vault-ceremony
 * rehearse` runs), collecting every secret it handled: each share's plaintext, the OTP, the
 * encoded and the decoded DR operation token (seen on the wire through an observing client),
 * every passphrase and every private key. None of them, in any common encoding, may appear in
 * any file written under the output folder, in the journal, the transcript, or the progress log.
 */
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRehearsal, type RehearsalResult } from '../electron/services/rehearsal/headless-rehearsal';
import { generateSigners, rehearsalPassphrase, type Signers } from '../electron/services/rehearsal/rehearsal-cast';
import { startRehearsalVault, type RehearsalVault } from '../rehearsal-vault/rehearsal-cluster-set';
import { filesUnder } from './support/files-under';
import { newWire, observing } from './support/wire-observer';

const root = mkdtempSync(join(tmpdir(), 'vc-leak-'));
const out = join(root, 'bundle');
const officerPassphrase = rehearsalPassphrase();
const seen = newWire();
const log: string[] = [];
let vault: RehearsalVault;
let signers: Signers;
let result: RehearsalResult;

beforeAll(async () => {
  const started = await startRehearsalVault({ officers: 5, threshold: 3, passphrase: officerPassphrase });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  signers = await generateSigners('random');
  const r = await runRehearsal({
    out,
    target: { kind: 'in-process', vault, officerPassphrase },
    signers,
    log: (line) => log.push(line),
    observeClient: (c) => observing(c, seen),
  });
  if (!r.ok) throw new Error(r.error.message);
  result = r.value;
});

afterAll(async () => {
  await vault?.close();
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

async function secrets(): Promise<Map<string, string[]>> {
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
  [...seen.promoted, ...seen.deleted].forEach((token, i) => add(`DR operation token (use ${i + 1})`, encodings(token)));
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

describe('a full rehearsal', () => {
  it('promoted the DR secondary and wrote a bundle that verifies', () => {
    expect(result.promoted).toBe(true);
    expect(result.report.valid).toBe(true);
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('primary');
  });

  it('saw every secret it must then keep out of every file and the log', () => {
    expect(seen.otps).toHaveLength(1);
    expect(seen.keys).toHaveLength(3);
    expect(seen.encoded).toHaveLength(1);
    expect(seen.promoted).toHaveLength(1);
    expect(seen.deleted).toEqual(seen.promoted);
    expect(seen.promoted[0]).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
  });

  it('writes no secret, in any common encoding, to any file or to its progress log', async () => {
    const files = filesUnder(out);
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual([
      'ceremony/journal.jsonl',
      'ceremony/journal.jsonl.signing.json',
      'ceremony/plan.yaml',
      'journal.jsonl',
      'signers/administrator.pub.asc',
      'signers/witness-1.pub.asc',
      'signers/witness-2.pub.asc',
      'transcript.txt.asc',
    ]);
    const places = [
      ...files.map((f) => ({ where: f, text: readFileSync(f, 'latin1') })),
      { where: 'the progress log', text: log.join('\n') },
    ];
    const leaks: string[] = [];
    for (const [label, forms] of await secrets()) {
      expect(forms.length).toBeGreaterThan(0);
      for (const { where, text } of places) if (forms.some((f) => text.includes(f))) leaks.push(`${label} in ${where}`);
    }
    expect(leaks).toEqual([]);
  });

  it('records commitments instead: the journal names each share by its ciphertext hash and key', () => {
    const journal = readFileSync(join(out, 'journal.jsonl'), 'utf8');
    const shares = journal
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.details.share);
    expect(shares.map((e) => e.details.share.officer)).toEqual(['officer-1', 'officer-2', 'officer-3']);
    for (const e of shares) expect(e.details.share.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(log.some((l) => /accepted: 2 of 3/.test(l))).toBe(true);
    expect(log.some((l) => /nonce [0-9a-f-]{36}/.test(l))).toBe(true);
  });
});
