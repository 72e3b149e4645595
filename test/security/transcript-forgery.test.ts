// @tier integration
/**
 * The forgeries an auditor tried on a fresh bundle (issue 12), each through `vault-ceremony verify`
 * with the exit code an auditor sees, and the stock-gpg claims with the real gpg:
 * - re-signed by strangers with signers/ replaced; witness signatures and their files stripped;
 *   an extra countersignature by an unnamed key with its file; signer files swapped or renamed;
 * - hostile files: a FIFO journal, the transcript a symlink to /dev/zero, a signer file of repeated
 *   armor BEGIN lines, a transcript padded with copies of its signatures, a cleartext of 15 million
 *   empty lines (not canonical, so read line by line), a signer's key padded with copies of its
 *   user ID, file names carrying terminal escape sequences;
 * - text prepended to the cleartext (which stock `gpg --verify transcript.txt.asc` accepts), a
 *   byte-order mark before the journal or the cleartext (a UTF-8 decoder drops it unseen), and a
 *   detached signature file that disagrees with the cleartext one.
 * The hostile-file cases run the installed command as a new process with a 10 s deadline, so a
 * regression hangs a child, not the test runner. Which defence each case depends on, and the
 * mutation that shows the case failing without it, is listed in SECURITY.md.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../support/built-programs';
import { main } from '../../cli/main';
import { armoredBlocks, readKeyrings } from '../../electron/services/pgp/public-keys';
import { canonicalDocument } from '../../electron/services/transcript/canonical-cleartext';
import { countersignTranscript, signatureOf, signTranscript } from '../../electron/services/transcript/signing';
import type { EventInput } from '../../electron/services/journal/journal';
import { captureIo } from '../support/capture-io';
import { createTempGnupg, type TempGnupg } from '../support/temp-gnupg';
import {
  CEREMONY_ID,
  makeBundle,
  makeSigner,
  misplacedAnswers,
  planEvent,
  sealedJournal,
  signedForms,
  threeSigners,
  type TestBundle,
  type TestSigner,
} from '../support/transcript-bundle';

const ROOT = join(import.meta.dirname, '..', '..');
const ESC = '\u001b';
const AT = '2025-01-31T12:00:00.000Z';

let signers: TestSigner[];
let strangers: TestSigner[];
let bundle: TestBundle;
let keyring: string;
let gnupg: TempGnupg;
let copies = 0;

beforeAll(async () => {
  signers = await threeSigners();
  strangers = [await makeSigner('alice'), await makeSigner('bob'), await makeSigner('carol')];
  bundle = await makeBundle(signers);
  keyring = join(bundle.root, 'auditor-keys.asc');
  writeFileSync(keyring, signers.map((s) => s.publicKey).join(''));
  gnupg = createTempGnupg();
  for (const s of signers) gnupg.importKey(s.publicKey);
}, 60_000);
afterAll(() => {
  gnupg.dispose();
  bundle.dispose();
});

/** A copy of the fresh bundle to forge. */
function copy(): string {
  const dir = join(bundle.root, `forgery-${++copies}`);
  cpSync(bundle.dir, dir, { recursive: true });
  return dir;
}

async function verify(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(['verify', ...argv], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

/** The installed command as a new process, killed after 10 s. */
function verifyProcess(...argv: string[]) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [builtCli(), 'verify', ...argv], {
    cwd: ROOT,
    timeout: 10_000,
  });
  return { code: r.status, signal: r.signal, ms: Date.now() - started, output: Buffer.concat([r.stdout, r.stderr]) };
}

/** Writes the three transcript files of `armored` into `dir`. */
async function writeForms(dir: string, armored: string): Promise<void> {
  const forms = await signedForms(armored);
  writeFileSync(join(dir, 'transcript.txt.asc'), forms.transcript!);
  writeFileSync(join(dir, 'transcript.txt'), forms.text!);
  writeFileSync(join(dir, 'transcript.txt.sig'), forms.detached!);
}

async function signedBy(text: string, who: readonly TestSigner[]): Promise<string> {
  let signed = await signTranscript(text, who[0]!.signer);
  for (const w of who.slice(1)) if (signed.ok) signed = await countersignTranscript(signed.value.armored, w.signer);
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value.armored;
}

const signedText = () => readFileSync(join(bundle.dir, 'transcript.txt'), 'utf8');

function gpgVerify(...files: string[]) {
  const r = spawnSync('gpg', [
    '--homedir',
    gnupg.home,
    '--batch',
    '--no-tty',
    '--status-fd',
    '1',
    '--verify',
    ...files,
  ]);
  return { code: r.status, status: r.stdout.toString() };
}

describe('the fresh bundle', () => {
  it('exits 3 alone and 0 with the auditor’s keyring', async () => {
    expect((await verify(bundle.dir)).code).toBe(3);
    expect((await verify(bundle.dir, '--keyring', keyring)).code).toBe(0);
  });
});

describe('forged signers', () => {
  it('re-signed by strangers with signers/ replaced: exit 1, with and without --keyring', async () => {
    const dir = copy();
    await writeForms(dir, await signedBy(signedText(), strangers));
    for (const [i, s] of signers.entries())
      writeFileSync(join(dir, 'signers', `${s.name}.pub.asc`), strangers[i]!.publicKey);
    const alone = await verify(dir);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain("the administrator 'alice'");
    expect(alone.stderr).toContain("which the journal's plan does not name");
    expect((await verify(dir, '--keyring', keyring)).code).toBe(1);
  });

  it('witness signatures and their files stripped: exit 1, with and without --keyring', async () => {
    const dir = copy();
    await writeForms(dir, await signedBy(signedText(), signers.slice(0, 1)));
    for (const s of signers.slice(1)) rmSync(join(dir, 'signers', `${s.name}.pub.asc`));
    for (const argv of [[dir], [dir, '--keyring', keyring]]) {
      const r = await verify(...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr).toContain("the witness 'bob' (");
      expect(r.stderr).toContain("the witness 'carol' (");
      expect(r.stderr).toContain('did not sign the transcript');
    }
  });

  it('an extra countersignature by an unnamed key, shipped with its file: exit 1 without --keyring', async () => {
    const dir = copy();
    const mallory = await makeSigner('mallory');
    const armored = readFileSync(join(bundle.dir, 'transcript.txt.asc'), 'utf8');
    const extra = await countersignTranscript(armored, mallory.signer);
    if (!extra.ok) throw new Error(extra.error.message);
    await writeForms(dir, extra.value.armored);
    writeFileSync(join(dir, 'signers', 'mallory.pub.asc'), mallory.publicKey);
    const r = await verify(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('signers/mallory.pub.asc holds key');
    expect(r.stderr).toContain('signature 4 was made by key');
  });

  it('swapped or renamed signer files change nothing: names come from the journal', async () => {
    const dir = copy();
    const file = (name: string) => join(dir, 'signers', `${name}.pub.asc`);
    const alice = readFileSync(file('alice'));
    writeFileSync(file('alice'), readFileSync(file('bob')));
    writeFileSync(file('bob'), alice);
    renameSync(file('carol'), file('administrator'));
    const r = await verify(dir, '--keyring', keyring);
    expect(r.code).toBe(0);
    for (const [i, s] of signers.entries())
      expect(r.stdout).toMatch(new RegExp(`anchored +${i === 0 ? 'administrator' : 'witness'} +${s.name} `));
    expect(r.stdout.match(/good {2}(\S+)/g)).toEqual(['good  alice', 'good  bob', 'good  carol']);
  });
});

describe('hostile files', () => {
  it('a FIFO journal ends within 10 s with exit 1', () => {
    const dir = copy();
    rmSync(join(dir, 'journal.jsonl'));
    spawnSync('mkfifo', [join(dir, 'journal.jsonl')]);
    const r = verifyProcess(dir);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.output.toString()).toContain('journal.jsonl was not read: it is a FIFO (named pipe), not a regular file');
  });

  it('the transcript a symlink to /dev/zero ends within 10 s with exit 1', () => {
    const dir = copy();
    rmSync(join(dir, 'transcript.txt.asc'));
    symlinkSync('/dev/zero', join(dir, 'transcript.txt.asc'));
    const r = verifyProcess(dir);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.output.toString()).toContain('transcript.txt.asc was not read: it is a symbolic link');
  });

  it('a signer file of repeated armor BEGIN lines ends within 10 s with exit 1', () => {
    const dir = copy();
    writeFileSync(join(dir, 'signers', 'alice.pub.asc'), '-----BEGIN PGP A-----\n'.repeat(11_000));
    const r = verifyProcess(dir);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
  });

  it('a transcript padded with 60,000 copies of its good signatures ends within 10 s with exit 1', async () => {
    // Each signature costs public-key arithmetic to check: these took 25 s, printing a line each.
    const path = join(copy(), 'transcript.txt.asc');
    const armored = readFileSync(path, 'utf8');
    const document = await canonicalDocument(armored);
    if (!document) throw new Error('the fresh transcript is not canonical');
    const padded = signatureOf(Array.from({ length: 20_000 }, () => document.signatures).flat()).armor();
    writeFileSync(path, armored.slice(0, armored.lastIndexOf('\n-----BEGIN PGP SIGNATURE-----\n') + 1) + padded);
    const r = verifyProcess(join(path, '..'), '--keyring', keyring);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.output.toString()).toContain('transcript.txt.asc carries 60000 signatures, and verify checks at most 64');
  });

  it('a cleartext of 15 million empty lines and one trailing space ends within 10 s with exit 1', () => {
    // Not canonical, so read by openpgp.js, line by line: this took verify 40 s.
    const path = join(copy(), 'transcript.txt.asc');
    const armored = readFileSync(path, 'utf8');
    const body = armored.indexOf('\n\n') + 2;
    writeFileSync(path, `${armored.slice(0, body)}${'\n'.repeat(15_000_000)} \n${armored.slice(body)}`);
    const r = verifyProcess(join(path, '..'), '--keyring', keyring);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.output.toString()).toContain(
      'transcript.txt.asc: the signed document is not in its one canonical spelling, and at over 300,000 lines',
    );
  });

  it('a signer file of the real key with its user ID repeated 700 times: exit 1, naming the file', async () => {
    // Harmless to the signature, but openpgp.js checks every copy again for each signature the key
    // verifies: a forged plan's 64 signers could hold verify for 15 s.
    const dir = copy();
    const [file] = readdirSync(join(dir, 'signers'));
    const path = join(dir, 'signers', file!);
    const packets = (await openpgp.readKey({ armoredKey: readFileSync(path, 'utf8') })).toPacketList();
    const user = packets.findIndex((p) => p instanceof openpgp.UserIDPacket);
    const padded = new openpgp.PacketList();
    padded.push(packets[0]!);
    for (let i = 0; i < 700; i++) padded.push(packets[user]!, packets[user + 1]!);
    padded.push(...packets.slice(1));
    writeFileSync(path, openpgp.armor(openpgp.enums.armor.publicKey, padded.write()));
    const r = await verify(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`signers/${file} holds a key with 701 user IDs and 1 subkeys; verify reads`);
  });

  it('a journal of 40,000 notes ends within 10 s with exit 1 at the deviation bound', () => {
    // Each note is a valid deviation, and each one the ceremony's replay scanned and copied all
    // before it: 80,000 took a minute. The machine records at most MAX_DEVIATIONS.
    const note = (n: number): EventInput => ({
      actor: 'alice',
      role: 'administrator',
      step: 'roll-call',
      type: 'deviation',
      details: { event: { type: 'deviation', kind: 'note', actor: 'alice', reason: `note ${n}`, at: AT } },
    });
    const notes = Array.from({ length: 40_000 }, (_, n) => note(n));
    const dir = copy();
    writeFileSync(join(dir, 'journal.jsonl'), sealedJournal(CEREMONY_ID, [planEvent(signers), ...notes]).bytes);
    const r = verifyProcess(dir, '--keyring', keyring);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.output.toString()).toContain(
      "journal event 1003 (deviation) breaks the ceremony's rules (this ceremony has recorded 1000 deviations",
    );
  });

  it('a journal of 40,000 misplaced answers: the verdict and every kind of problem stay in sight', async () => {
    const dir = copy();
    const journal = sealedJournal(CEREMONY_ID, [planEvent(signers), ...misplacedAnswers(40_000)]);
    writeFileSync(join(dir, 'journal.jsonl'), journal.bytes);
    const r = await verify(dir, '--keyring', keyring);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n').length).toBeLessThan(30);
    expect(r.stderr).toContain('the transcript states');
    expect(r.stderr).toContain("… and 39,991 more 'record-inconsistent' problems besides the 10 shown");
  });

  it('armor parsing is linear: 4 MB of BEGIN lines in an auditor’s keyring is refused at once', async () => {
    const lines = '-----BEGIN PGP A-----\n'.repeat(200_000);
    const started = Date.now();
    expect(armoredBlocks(lines)).toEqual([]);
    const file = join(bundle.root, 'begin-lines.asc');
    writeFileSync(file, lines);
    const read = await readKeyrings([file]);
    expect(!read.ok && read.error.kind).toBe('keyring-invalid');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(armoredBlocks(`x\n${signers[0]!.publicKey}\n${signers[1]!.publicKey}`)).toHaveLength(2);
  });

  it('no ESC byte from a file or folder name reaches the output', () => {
    const dir = join(bundle.root, `bundle ${ESC}[2K${ESC}[1A`);
    cpSync(bundle.dir, dir, { recursive: true });
    const fake = `${ESC}[2K${ESC}[1A${ESC}[32mverified${ESC}[0m`;
    writeFileSync(join(dir, 'signers', `${fake}.pub.asc`), 'x');
    mkdirSync(join(dir, 'signers', `${ESC}]0;title${String.fromCharCode(7)}`));
    const r = verifyProcess(dir, '--keyring', keyring);
    expect(r.code).toBe(1);
    expect(r.output.includes(0x1b)).toBe(false);
    expect(r.output.includes(0x07)).toBe(false);
    const text = r.output.toString();
    expect(text).toContain('signers/\\u001b[2K\\u001b[1A\\u001b[32mverified\\u001b[0m.pub.asc is not a <name>.pub.asc');
    expect(text).toContain('bundle \\u001b[2K\\u001b[1A');
  });
});

describe('every byte an auditor reads is signed', () => {
  it('gpg --verify transcript.txt.sig transcript.txt reports every signer good', () => {
    const r = gpgVerify(join(bundle.dir, 'transcript.txt.sig'), join(bundle.dir, 'transcript.txt'));
    expect(r.code).toBe(0);
    const good = [...r.status.matchAll(/^\[GNUPG:\] VALIDSIG ([0-9A-F]{40})/gm)].map((m) => m[1]!.toLowerCase());
    expect(good).toEqual(signers.map((s) => s.fingerprint));
    expect(r.status).not.toMatch(/BADSIG|ERRSIG/);
  });

  it('a line prepended: stock gpg accepts the cleartext file, rejects the detached pair; verify rejects both', async () => {
    const dir = copy();
    const prepend = (name: string) =>
      writeFileSync(join(dir, name), 'Outcome:        ABORTED\n' + readFileSync(join(bundle.dir, name), 'utf8'));
    prepend('transcript.txt.asc');
    // The hazard the detached form exists for: gpg checks only the signed block of a cleartext file.
    expect(gpgVerify(join(dir, 'transcript.txt.asc')).code).toBe(0);
    const cleartext = await verify(dir);
    expect(cleartext.code).toBe(1);
    expect(cleartext.stderr).toContain('transcript.txt.asc');

    cpSync(join(bundle.dir, 'transcript.txt.asc'), join(dir, 'transcript.txt.asc'));
    prepend('transcript.txt');
    const detached = gpgVerify(join(dir, 'transcript.txt.sig'), join(dir, 'transcript.txt'));
    expect(detached.code).not.toBe(0);
    expect(detached.status).toMatch(/BADSIG/);
    const r = await verify(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'transcript.txt is not exactly the text signed in transcript.txt.asc: they differ from line 1',
    );
  });

  it('a byte-order mark before the journal or the cleartext file: exit 1, naming the file', async () => {
    const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
    for (const [name, covers] of [
      ['journal.jsonl', 'no hash in the chain covers'],
      ['transcript.txt.asc', 'no signature covers'],
    ] as const) {
      const dir = copy();
      writeFileSync(join(dir, name), Buffer.concat([BOM, readFileSync(join(bundle.dir, name))]));
      const r = await verify(dir, '--keyring', keyring);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${name} starts with a byte-order mark (bytes EF BB BF)`);
      expect(r.stderr).toContain(covers);
    }
  });

  it('a detached signature file that disagrees with the cleartext one: exit 1', async () => {
    const dir = copy();
    // The administrator's signature alone: good for gpg, but not every signer's.
    const admin = await signedForms(await signedBy(signedText(), signers.slice(0, 1)));
    writeFileSync(join(dir, 'transcript.txt.sig'), admin.detached!);
    expect(gpgVerify(join(dir, 'transcript.txt.sig'), join(dir, 'transcript.txt')).code).toBe(0);
    const r = await verify(dir, '--keyring', keyring);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('transcript.txt.sig does not hold exactly the signatures of transcript.txt.asc');
  });
});
