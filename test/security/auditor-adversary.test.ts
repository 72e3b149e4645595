// @tier integration
/**
 * Bundles the auditor's adversary made after the forgeries of transcript-forgery.test.ts were
 * closed (issue 12), each through the installed `vault-ceremony verify` with a 10 s deadline:
 * - an outsider (no signer's key) whose journal holds one event that renders to gigabytes: a
 *   100,000-character key over 100,000 array items, each item a transcript line naming the whole
 *   path. verify built the whole rendering to name the first line that differs, and crashed
 *   (RangeError: Invalid string length) on a 335 KB journal.
 * - insiders (three colluders with their own keys) whose plan gives the administrator's and the
 *   witnesses' names to their keys, checked against an auditor's keyring that holds everyone's
 *   keys (an organisation's, say): every signer is anchored, exit 0, and verify showed only the
 *   plan's names, so the auditor read that alice, bob and carol signed.
 * - an outsider who adds a notation ("outcome@…=ABORTED…") to the unhashed part of every signature,
 *   which no signature covers and `gpg --list-packets` prints: verify said VERIFIED, exit 0.
 * - the signers (or the software signing for them) stating more than the transcript in the signed
 *   part of their signatures: a notation "outcome=ABORTED…", a policy URL, a preferred key server,
 *   a signer's user ID. Stock `gpg --verify` prints each under "Good signature" as the signer's own
 *   statement, and verify, which showed none of them, said VERIFIED, exit 0.
 * - signers whose keys are RFC 9580 Ed25519 (openpgp.js's `curve25519`), or who sign with SHA3-512:
 *   verify said VERIFIED, exit 0, and stock GnuPG 2.2's `gpg --verify transcript.txt.sig
 *   transcript.txt`, the check the transcript gives auditors, could check none of the signatures.
 * - the signers (or the software signing for them) signing the transcript in binary mode over its
 *   CRLF form: openpgp.js checks a cleartext's signature of either type over that, so verify said
 *   VERIFIED, exit 0, while stock `gpg --verify transcript.txt.sig transcript.txt`, the check the
 *   auditor's guide gives, reports every signature BAD.
 * - an outsider's complete bundle of 64 signers whose keys each hold 64 user IDs and 64 subkeys on
 *   NIST P-521, every cap respected: each signature checks its key's bindings again, and verify
 *   took 17 s (exit 3). The case here makes nine such keys on Curve25519, cheap to make, past the
 *   total now allowed; and the fresh bundle with a signer's self-signature repeated 600 times.
 * - insiders whose plan names a witness 'аlice' (Cyrillic а) beside the administrator 'alice', or
 *   'bob⠀' (a Braille blank) beside 'bob': the two look the same on every screen and in the
 *   transcript, and verify accepted the plan.
 * Which defence each case depends on, and the mutation that shows it failing without it, is listed
 * in SECURITY.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupFingerprint } from '../../shared/ceremony/ceremony-steps';
import { renderTranscript } from '../../shared/record/transcript-format';
import type { OpenPgpKey } from '../../electron/services/pgp/openpgp-signer';
import { canonicalDocument } from '../../electron/services/transcript/canonical-cleartext';
import { canonicalArmor, detachedSignatures } from '../../electron/services/transcript/signing';
import type { CastMember } from '../../electron/services/rehearsal/rehearsal-cast';
import { builtCli } from '../support/built-programs';
import { signedBundle } from '../support/doctored-bundle';
import { createTempGnupg } from '../support/temp-gnupg';
import {
  CEREMONY_ID,
  ceremonyEvents,
  keySigner,
  makeBundle,
  makeSigner,
  planEvent,
  sealedJournal,
  threeSigners,
  type TestBundle,
  type TestSigner,
} from '../support/transcript-bundle';

const ROOT = join(import.meta.dirname, '..', '..');

let signers: TestSigner[];
let bundle: TestBundle;
let copies = 0;

beforeAll(async () => {
  signers = await threeSigners();
  bundle = await makeBundle(signers);
}, 60_000);
afterAll(() => bundle.dispose());

/** A copy of the fresh bundle to forge. */
function copy(): string {
  const dir = join(bundle.root, `forgery-${++copies}`);
  cpSync(bundle.dir, dir, { recursive: true });
  return dir;
}

/** The auditor's keyring: the signers' keys, obtained independently of the bundle. */
function keyring(): string {
  const path = join(bundle.root, 'auditor-keys.asc');
  writeFileSync(path, signers.map((s) => s.publicKey).join(''));
  return path;
}

/** The installed command as a new process, killed after 10 s. */
function verifyProcess(...argv: string[]) {
  const r = spawnSync(process.execPath, [builtCli(), 'verify', ...argv], { cwd: ROOT, timeout: 10_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** A person of a plan, with a new key openpgp.js makes with `options`, without a passphrase. */
async function personWithKey(name: string, options: Omit<openpgp.KeyOptions, 'format'>): Promise<CastMember> {
  const { privateKey, publicKey } = await openpgp.generateKey({ ...options, format: 'armored' });
  const fingerprint = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint();
  return { name, fingerprint, publicKeyArmored: publicKey, privateKeyArmored: privateKey, passphrase: undefined };
}

/** A private key, ready to sign. */
async function unlocked(key: OpenPgpKey): Promise<openpgp.PrivateKey> {
  const locked = await openpgp.readPrivateKey({ armoredKey: key.armoredPrivateKey });
  return key.passphrase ? openpgp.decryptKey({ privateKey: locked, passphrase: key.passphrase }) : locked;
}

/** Writes `packets` over `text` into the bundle `dir` as both its cleartext and its detached signatures. */
function writeSignatures(dir: string, text: string, packets: openpgp.SignaturePacket[]): void {
  writeFileSync(join(dir, 'transcript.txt.asc'), canonicalArmor(text, packets));
  writeFileSync(join(dir, 'transcript.txt.sig'), detachedSignatures(packets));
}

/** A text signature by `signing` over `text`, with `fields` (hashed subpackets, algorithms) set as given. */
async function textSignature(
  signing: OpenPgpKey,
  text: string,
  fields: Partial<Omit<openpgp.SignaturePacket, 'rawNotations'>> & {
    readonly rawNotations?: ReadonlyArray<openpgp.SignaturePacket['rawNotations'][number]>;
  },
): Promise<openpgp.SignaturePacket> {
  const key = await unlocked(signing);
  const packet = new openpgp.SignaturePacket();
  Object.assign(
    packet,
    {
      signatureType: openpgp.enums.signature.text,
      publicKeyAlgorithm: key.keyPacket.algorithm,
      hashAlgorithm: openpgp.enums.hash.sha512,
    },
    fields,
    { rawNotations: [...(fields.rawNotations ?? [])] },
  );
  // As openpgp.js runs it: with its data (whose bytes a text signature hashes, LF made CRLF) and a
  // config; its declaration says bytes, and no config.
  const sign = packet.sign.bind(packet) as unknown as (...args: unknown[]) => Promise<void>;
  await sign(key.keyPacket, { getBytes: () => Buffer.from(text, 'utf8') }, new Date(), false, openpgp.config);
  return packet;
}

/** The files of stock `gpg --verify transcript.txt.sig transcript.txt`, as the transcript says to run it. */
function detachedPair(dir: string): string[] {
  return [join(dir, 'transcript.txt.sig'), join(dir, 'transcript.txt')];
}

/** Stock `gpg --verify FILES`, with `keys` (the signers' by default) imported into a throwaway home. */
function stockVerify(files: readonly string[], keys = signers.map((s) => s.publicKey)) {
  const gnupg = createTempGnupg();
  try {
    for (const key of keys) gnupg.importKey(key);
    const r = spawnSync('gpg', ['--homedir', gnupg.home, '--batch', '--status-fd', '1', '--verify', ...files]);
    return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  } finally {
    gnupg.dispose();
  }
}

describe('an outsider’s journal that renders to gigabytes', () => {
  it('ends within 10 s with exit 1, naming the first line of the transcript that differs', () => {
    const dir = copy();
    const huge = { ...ceremonyEvents(signers)[0]!, details: { ['k'.repeat(100_000)]: Array<number>(100_000).fill(0) } };
    const journal = sealedJournal(CEREMONY_ID, [planEvent(signers), huge, ...ceremonyEvents(signers)]);
    writeFileSync(join(dir, 'journal.jsonl'), journal.bytes);
    // The signed text made to state the new journal; its signatures, which no outsider can remake, go BAD.
    const path = join(dir, 'transcript.txt.asc');
    writeFileSync(
      path,
      readFileSync(path, 'utf8')
        .replace(/^Journal events: .*$/m, `Journal events: ${journal.chain.events.length}`)
        .replace(/^Journal head: .*$/m, `Journal head:   ${journal.chain.head}`),
    );
    const r = verifyProcess(dir);
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toContain('RangeError');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the signed transcript is not the one the journal renders: first difference at line \d+/);
  });
});

describe('a plan that gives the real people’s names to colluders’ keys', () => {
  it('anchored by a keyring of everyone’s keys, shows whom the keyring knows each key as', async () => {
    const colluders = [await makeSigner('mallory'), await makeSigner('eve'), await makeSigner('trent')];
    const forged = await makeBundle(colluders.map((c, i) => ({ ...c, name: signers[i]!.name })));
    try {
      const keyring = join(forged.root, 'organisation.asc');
      writeFileSync(keyring, [...signers, ...colluders].map((s) => s.publicKey).join(''));
      const r = verifyProcess(forged.dir, '--keyring', keyring);
      // Anchored it is (every key is one the auditor holds); what matters is whose the auditor reads.
      expect(r.code).toBe(0);
      for (const [i, c] of colluders.entries())
        expect(r.stdout).toContain(
          `${signers[i]!.name.padEnd(16)} ${groupFingerprint(c.fingerprint)}\n                your keyring names this key "${c.name} <${c.name}@example.org>"\n`,
        );
      expect(r.stdout).toContain("The names are the journal's, which the signers wrote");
    } finally {
      forged.dispose();
    }
  }, 60_000);

  it('never from the bundle’s copy of a key, to which its owner can add any name', async () => {
    // Mallory's key as she ships it, with a second user ID she certified herself: the administrator's.
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [
        { name: 'mallory', email: 'mallory@example.org' },
        { name: 'alice', email: 'alice@example.org' },
      ],
      format: 'armored',
    });
    const shipped = await openpgp.readKey({ armoredKey: publicKey });
    const known = await openpgp.readKey({ armoredKey: publicKey });
    // The auditor's copy, as she first gave it to them: her own name only.
    (known as { users: openpgp.PublicKey['users'] }).users = known.users.filter((u) => u.userID?.name === 'mallory');
    const mallory: TestSigner = {
      name: signers[0]!.name,
      key: { armoredPrivateKey: privateKey },
      signer: await keySigner({ armoredPrivateKey: privateKey }),
      publicKey,
      fingerprint: shipped.getFingerprint(),
    };
    const forged = await makeBundle([mallory, ...signers.slice(1)]);
    try {
      const keyring = join(forged.root, 'organisation.asc');
      writeFileSync(keyring, [known.armor(), ...signers.slice(1).map((s) => s.publicKey)].join(''));
      const r = verifyProcess(forged.dir, '--keyring', keyring);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('your keyring names this key "mallory <mallory@example.org>"\n');
      expect(r.stdout).not.toContain('"alice <alice@example.org>"');
    } finally {
      forged.dispose();
    }
  }, 60_000);
});

describe('a colluder’s key in the auditor’s keyring with user IDs its owner does not vouch for', () => {
  it('shows neither a user ID its owner revoked nor one no self-signature binds, as gpg lists none of them', async () => {
    // Mallory's key made by gpg, with the administrator's name added and revoked (gpg then lists it
    // only with --list-options show-unusable-uids), and a third user ID no one signed appended, as a
    // key server that checks nothing serves it.
    const gnupg = createTempGnupg();
    try {
      const gpg = (...args: string[]) =>
        execFileSync('gpg', [
          '--homedir',
          gnupg.home,
          '--batch',
          '--pinentry-mode',
          'loopback',
          '--passphrase',
          '',
          ...args,
        ]);
      gpg('--quick-gen-key', 'mallory <mallory@example.org>', 'ed25519', 'sign', 'never');
      const fingerprint = gpg('--with-colons', '--list-keys')
        .toString()
        .split('\n')
        .find((l) => l.startsWith('fpr:'))!
        .split(':')[9]!;
      gpg('--quick-add-uid', fingerprint, 'alice <alice@example.org>');
      gpg('--quick-revoke-uid', fingerprint, 'alice <alice@example.org>');
      const listed = gpg('--list-keys', fingerprint).toString();
      expect(listed).toContain('mallory <mallory@example.org>');
      expect(listed).not.toContain('alice');
      const privateKey = gpg('--armor', '--export-secret-keys', fingerprint).toString();
      const known = (
        await openpgp.readKey({ armoredKey: gpg('--armor', '--export', fingerprint).toString() })
      ).toPacketList();
      known.push(openpgp.UserIDPacket.fromObject({ name: 'dave', email: 'dave@example.org' }));
      const mallory: TestSigner = {
        name: signers[0]!.name,
        key: { armoredPrivateKey: privateKey },
        signer: await keySigner({ armoredPrivateKey: privateKey }),
        publicKey: new openpgp.PublicKey(known).armor(),
        fingerprint: fingerprint.toLowerCase(),
      };
      const forged = await makeBundle([mallory, ...signers.slice(1)]);
      try {
        const keyring = join(forged.root, 'organisation.asc');
        writeFileSync(keyring, [mallory.publicKey, ...signers.slice(1).map((s) => s.publicKey)].join(''));
        const r = verifyProcess(forged.dir, '--keyring', keyring);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain(
          `${groupFingerprint(mallory.fingerprint)}\n                your keyring names this key "mallory <mallory@example.org>"\n  `,
        );
        expect(r.stdout).not.toContain('alice <alice@example.org>');
        expect(r.stdout).not.toContain('dave <dave@example.org>');
      } finally {
        forged.dispose();
      }
    } finally {
      gnupg.dispose();
    }
  }, 60_000);
});

describe('an outsider’s text in the unsigned part of each signature', () => {
  it('exits 1, naming each signature that carries it', async () => {
    const dir = copy();
    const document = await canonicalDocument(readFileSync(join(dir, 'transcript.txt.asc'), 'utf8'));
    if (!document) throw new Error('the fresh transcript is not canonical');
    const [name, value] = ['outcome@vault-ceremony.example', 'ABORTED: the promotion was never authorised'].map((t) =>
      Buffer.from(t),
    );
    const length = (n: number) => [n >> 8, n & 0xff];
    // A notation: flags (human-readable), name and value lengths, name, value.
    const body = Uint8Array.from([
      0x80,
      0,
      0,
      0,
      ...length(name!.length),
      ...length(value!.length),
      ...name!,
      ...value!,
    ]);
    for (const p of document.signatures) p.unhashedSubpackets.push({ type: 20, critical: false, body });
    writeSignatures(dir, document.text, document.signatures);
    const r = verifyProcess(dir, '--keyring', keyring());
    expect(r.code).toBe(1);
    for (const n of [1, 2, 3])
      expect(r.stderr).toContain(
        `signature ${n} in transcript.txt.asc carries data its signer did not sign (an unhashed subpacket of type 20;`,
      );
  });
});

describe('the signers’ own statements in the signed part of their signatures', () => {
  const claim = 'ABORTED: the promotion was never authorised';
  it.each([
    [
      'a notation',
      { rawNotations: [{ name: 'outcome', value: Buffer.from(claim), humanReadable: true, critical: false }] },
      `Signature notation: outcome=${claim}`,
      'a notation "outcome"',
    ],
    [
      'a policy URL',
      { policyURI: `https://example.org/${claim}` },
      'Signature policy: https://example.org/',
      'a policy URL',
    ],
    [
      'a preferred key server',
      { preferredKeyServer: `https://example.org/${claim}` },
      'Preferred keyserver: https://example.org/',
      'a preferred key server',
    ],
    ['a signer’s user ID', { signersUserID: 'carol@example.org' }, 'issuer "carol@example.org"', "a signer's user ID"],
  ] as const)(
    '%s, which stock gpg prints beside a good signature: exit 1, naming each signature',
    async (_what, fields, printed, named) => {
      const dir = copy();
      const text = readFileSync(join(dir, 'transcript.txt'), 'utf8');
      const packets: openpgp.SignaturePacket[] = [];
      for (const s of signers) packets.push(await textSignature(s.key, text, fields));
      writeSignatures(dir, text, packets);
      const stock = stockVerify([join(dir, 'transcript.txt.asc')]);
      expect(stock.status).toBe(0);
      expect(stock.stdout.match(/^\[GNUPG:\] GOODSIG /gm)).toHaveLength(3);
      expect(stock.stderr).toContain(printed);
      const r = verifyProcess(dir, '--keyring', keyring());
      expect(r.code).toBe(1);
      for (const n of [1, 2, 3])
        expect(r.stderr).toContain(`signature ${n} in transcript.txt.asc states more than the transcript: ${named}`);
    },
  );
});

describe('signatures stock GnuPG 2.2 cannot check', () => {
  it('by keys of RFC 9580 Ed25519 (openpgp.js’s curve25519): exit 1 naming each signature, where gpg can check none', async () => {
    const people: CastMember[] = [];
    for (const name of ['alice', 'bob', 'carol'])
      people.push(await personWithKey(name, { type: 'curve25519', userIDs: [{ name, email: `${name}@example.org` }] }));
    // Written as the forger writes it: the app's signer and bundle writer now refuse such keys.
    const dir = join(bundle.root, `ed25519-${++copies}`);
    const journal = sealedJournal(CEREMONY_ID, [planEvent(people), ...ceremonyEvents(people)]);
    const text = renderTranscript(journal.chain);
    const packets: openpgp.SignaturePacket[] = [];
    for (const p of people) packets.push(await textSignature({ armoredPrivateKey: p.privateKeyArmored }, text, {}));
    mkdirSync(join(dir, 'signers'), { recursive: true });
    for (const p of people) writeFileSync(join(dir, 'signers', `${p.name}.pub.asc`), p.publicKeyArmored);
    writeFileSync(join(dir, 'journal.jsonl'), journal.bytes);
    writeFileSync(join(dir, 'transcript.txt'), text);
    writeSignatures(dir, text, packets);
    const keys = people.map((p) => p.publicKeyArmored);
    const stock = stockVerify(detachedPair(dir), keys);
    expect(stock.status).toBe(2);
    expect(stock.stdout.match(/^\[GNUPG:\] ERRSIG [0-9A-F]{16} 27 /gm)).toHaveLength(3);
    expect(stock.stdout).not.toMatch(/GOODSIG/);
    const path = join(bundle.root, `ed25519-keys-${copies}.asc`);
    writeFileSync(path, keys.join(''));
    const r = verifyProcess(dir, '--keyring', path);
    expect(r.code).toBe(1);
    for (const n of [1, 2, 3])
      expect(r.stderr).toContain(
        `signature ${n} in transcript.txt.asc uses public-key algorithm ed25519 (27), which stock GnuPG 2.2 cannot check`,
      );
  });

  it('made with SHA3-512: exit 1 naming each signature, where gpg can check none', async () => {
    const dir = copy();
    const text = readFileSync(join(dir, 'transcript.txt'), 'utf8');
    const packets: openpgp.SignaturePacket[] = [];
    for (const s of signers)
      packets.push(await textSignature(s.key, text, { hashAlgorithm: openpgp.enums.hash.sha3_512 }));
    writeSignatures(dir, text, packets);
    const stock = stockVerify(detachedPair(dir));
    expect(stock.status).toBe(2);
    expect(stock.stderr).toContain('Invalid digest algorithm');
    expect(stock.stdout).not.toMatch(/GOODSIG/);
    const r = verifyProcess(dir, '--keyring', keyring());
    expect(r.code).toBe(1);
    for (const n of [1, 2, 3])
      expect(r.stderr).toContain(
        `signature ${n} in transcript.txt.asc uses hash sha3_512 (14), which stock GnuPG 2.2 cannot check`,
      );
  });
});

describe('a transcript signed in binary mode over its CRLF form', () => {
  it('exits 1, where stock gpg reports the detached pair BAD', async () => {
    const dir = copy();
    const text = readFileSync(join(dir, 'transcript.txt'), 'utf8');
    const packets: openpgp.SignaturePacket[] = [];
    for (const s of signers) {
      const message = await openpgp.createMessage({ binary: Buffer.from(text.replace(/\n/g, '\r\n')) });
      const signature = await openpgp.sign({
        message,
        signingKeys: await unlocked(s.key),
        detached: true,
        format: 'binary',
      });
      packets.push(
        ...((await openpgp.readSignature({ binarySignature: signature })).packets as Iterable<openpgp.SignaturePacket>),
      );
    }
    writeSignatures(dir, text, packets);
    const stock = stockVerify(detachedPair(dir));
    expect(stock.status).toBe(1);
    expect(stock.stdout).toMatch(/^\[GNUPG:\] BADSIG /m);
    const r = verifyProcess(dir, '--keyring', keyring());
    expect(r.code).toBe(1);
    for (const n of [1, 2, 3])
      expect(r.stderr).toContain(`signature ${n} in transcript.txt.asc is of type 0, not a text signature (type 1)`);
  });
});

describe('signers’ keys with too many user IDs, subkeys and self-signatures in all', () => {
  it('nine keys of 32 user IDs and 32 subkeys: exit 1 before any signature is checked, saying how many', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => i);
    const people: CastMember[] = [];
    for (const i of many(9)) {
      const name = `p${i}`;
      people.push(
        await personWithKey(name, {
          type: 'ecc',
          curve: 'curve25519Legacy',
          userIDs: many(32).map((j) => ({ name: `${name}-${j}`, email: `${name}.${j}@example.org` })),
          subkeys: many(32).map(() => ({ sign: true })),
        }),
      );
    }
    // Written as the forger writes it: the bundle writer would not write what verify refuses.
    const dir = join(bundle.root, 'many-bindings');
    const journal = sealedJournal(CEREMONY_ID, [planEvent(people), ...ceremonyEvents(people)]);
    await signedBundle(dir, journal.chain.events, people);
    const r = verifyProcess(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "the signers' keys in signers/ hold 1161 user IDs, subkeys and self-signatures in all; verify reads at most 512",
    );
    expect(r.stdout).toContain('signatures:  0');
  }, 60_000);

  it('a signer’s self-signature repeated 600 times: exit 1, saying how many', async () => {
    const dir = copy();
    const path = join(dir, 'signers', `${signers[0]!.name}.pub.asc`);
    const packets = (await openpgp.readKey({ armoredKey: readFileSync(path, 'utf8') })).toPacketList();
    const certification = packets.findIndex((p) => p instanceof openpgp.UserIDPacket) + 1;
    const padded = new openpgp.PacketList<openpgp.AnyPacket>();
    padded.push(...packets.slice(0, certification + 1));
    for (let i = 0; i < 600; i++) padded.push(packets[certification]!);
    padded.push(...packets.slice(certification + 1));
    writeFileSync(path, openpgp.armor(openpgp.enums.armor.publicKey, padded.write()));
    const r = verifyProcess(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "the signers' keys in signers/ hold 615 user IDs, subkeys and self-signatures in all; verify reads at most 512",
    );
  });
});

describe('a plan whose people’s names look alike', () => {
  it.each([
    ['a witness named with a Cyrillic а beside the administrator alice', '\u0430lice'],
    ['a witness named bob with a Braille blank after it', 'bob\u2800'],
  ])('%s: exit 1, the plan refused', async (_how, name) => {
    // The whole ceremony, recorded as the laptop records it for a witness 'zed', then renamed (the
    // record's own helpers would refuse the name now); the key files keep portable names, as the
    // laptop's bundle writer gives them.
    const people: CastMember[] = signers.map((s, i) => ({
      name: i === 1 ? 'zed' : s.name,
      fingerprint: s.fingerprint,
      publicKeyArmored: s.publicKey,
      privateKeyArmored: s.key.armoredPrivateKey,
      passphrase: s.key.passphrase,
    }));
    const recorded = [planEvent(people), ...ceremonyEvents(people)];
    const renamed = JSON.parse(JSON.stringify(recorded).replaceAll('"zed"', JSON.stringify(name))) as typeof recorded;
    const dir = join(bundle.root, `lookalike-${++copies}`);
    await signedBundle(dir, sealedJournal(CEREMONY_ID, renamed).chain.events, people);
    const r = verifyProcess(dir, '--keyring', keyring());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'witnesses[0].name must be visible characters only: no invisible or direction-changing ones, no blank symbol, single spaces, and no Latin, Cyrillic, Greek or Armenian letters mixed',
    );
  });
});
