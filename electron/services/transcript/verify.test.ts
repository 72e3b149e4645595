// @tier integration
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealEvent, serializeEvent, verifyJournalText } from '../../../shared/record/journal-event';
import { renderTranscript } from '../../../shared/record/transcript-format';
import { createTempGnupg, type TempGnupg } from '../../../test/support/temp-gnupg';
import {
  keySigner,
  makeBundle,
  makeSigner,
  signedForms,
  threeSigners,
  type TestBundle,
  type TestSigner,
} from '../../../test/support/transcript-bundle';
import { readAnchors } from './anchors';
import { countersignTranscript, signTranscript } from './signing';
import { readBundle, verifyBundleContents, type BundleContents, type BundleReport } from './verify';

let signers: TestSigner[];
let bundle: TestBundle;
let contents: BundleContents;
let gnupg: TempGnupg;

beforeAll(async () => {
  signers = await threeSigners();
  bundle = await makeBundle(signers);
  contents = await readBundle(bundle.dir);
  gnupg = createTempGnupg();
  for (const s of signers) gnupg.importKey(s.publicKey);
});
afterAll(() => {
  gnupg.dispose();
  bundle.dispose();
});

const kinds = (report: BundleReport) => report.problems.map((p) => p.kind);
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes!).toString('utf8');

function flipped(bytes: Uint8Array, position: number, mask: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[position]! ^= mask;
  return copy;
}

function gpgAccepts(armored: Uint8Array): boolean {
  const file = join(gnupg.home, 'transcript.txt.asc');
  writeFileSync(file, armored);
  return spawnSync('gpg', ['--homedir', gnupg.home, '--batch', '--no-tty', '--verify', file]).status === 0;
}

describe('verifyBundleContents', () => {
  it('accepts a fresh bundle and reports its ceremony and every signer', async () => {
    const report = await verifyBundleContents(contents);
    expect(report.problems).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.ceremonyId).toBe('dc2-2025-01-31');
    expect(report.rehearsal).toBe(true);
    expect(report.events).toBe(5);
    expect(report.head).toBe(
      verifyJournalText(text(contents.journal)).ok &&
        JSON.parse(text(contents.journal).trimEnd().split('\n').pop()!).hash,
    );
    expect(report.signatures.map((s) => [s.signer, s.fingerprint, s.good])).toEqual(
      signers.map((s) => [s.name, s.fingerprint, true]),
    );
    for (const s of report.signatures) expect(Date.now() - Date.parse(s.created)).toBeLessThan(10 * 60_000);
  });

  it('fails when any single byte of the journal changes, at every position', async () => {
    const journal = contents.journal!;
    const accepted: number[] = [];
    for (let p = 0; p < journal.length; p++) {
      // A different bit at successive positions: letters change case, digits become letters, …
      const report = await verifyBundleContents({ ...contents, journal: flipped(journal, p, 1 << (p % 6)) });
      if (report.valid) accepted.push(p);
    }
    expect(journal.length).toBeGreaterThan(1000);
    expect(accepted).toEqual([]);
  }, 300_000);

  it('fails when any single byte of the signed transcript changes, at every position', async () => {
    const transcript = contents.transcript!;
    const accepted: number[] = [];
    for (let p = 0; p < transcript.length; p++) {
      const report = await verifyBundleContents({ ...contents, transcript: flipped(transcript, p, 0x01) });
      if (report.valid) accepted.push(p);
    }
    expect(accepted).toEqual([]);
  }, 300_000);

  it('names the first broken event by seq and line', async () => {
    const lines = text(contents.journal).split('\n');
    lines[2] = lines[2]!.replace('primary fenced', 'primary fenced?');
    const report = await verifyBundleContents({ ...contents, journal: Buffer.from(lines.join('\n')) });
    expect(kinds(report)).toEqual(['journal-invalid']);
    expect(report.problems[0]!.message).toContain('event seq 3 (line 3)');
  });

  it('detects a journal cut short or extended, even with a valid chain', async () => {
    const lines = text(contents.journal).trimEnd().split('\n');
    const cut = await verifyBundleContents({ ...contents, journal: Buffer.from(lines.slice(0, -1).join('\n') + '\n') });
    // The journal cut short also lost the closing event: its record was never closed.
    expect(kinds(cut)).toEqual(['transcript-mismatch', 'record-inconsistent']);
    expect(cut.problems[0]!.message).toBe('the transcript states 5 journal events, the journal has 4');

    const last = JSON.parse(lines[lines.length - 1]!);
    const extra = sealEvent({ ...last, seq: 6, prev: last.hash, type: 'note', details: { added: 'later' } });
    const extended = await verifyBundleContents({
      ...contents,
      journal: Buffer.from(lines.join('\n') + '\n' + serializeEvent(extra) + '\n'),
    });
    // And nothing may follow the closing event.
    expect(kinds(extended)).toEqual(['transcript-mismatch', 'record-inconsistent']);
  });

  /** The fixture's bundle with `edit` applied to its honest transcript, signed by every real signer. */
  async function signedAfter(edit: (transcript: string) => string): Promise<BundleReport> {
    const chain = verifyJournalText(text(contents.journal));
    if (!chain.ok) throw new Error('fixture');
    let signed = await signTranscript(edit(renderTranscript(chain.value)), signers[0]!.signer);
    for (const w of signers.slice(1))
      signed = signed.ok ? await countersignTranscript(signed.value.armored, w.signer) : signed;
    if (!signed.ok) throw new Error(signed.error.message);
    return verifyBundleContents({ ...contents, ...(await signedForms(signed.value.armored)) });
  }

  it('refuses a transcript whose signed text differs from what the journal renders, even if well signed', async () => {
    const report = await signedAfter((t) =>
      t.replace('Outcome:        cancelled', 'Outcome:        cancelled without deviation'),
    );
    expect(kinds(report)).toEqual(['transcript-mismatch']);
    expect(report.problems[0]!.message).toMatch(/first difference at line \d+/);
    expect(report.signatures.every((s) => s.good)).toBe(true);
  });

  it('says a transcript in another format needs the release that wrote it, rather than calling it altered', async () => {
    const report = await signedAfter((t) => t.replace(/^(Format: +vault-ceremony-transcript\/)\d+$/m, '$13'));
    expect(kinds(report)).toEqual(['transcript-mismatch']);
    expect(report.problems[0]!.message).toMatch(
      /in format vault-ceremony-transcript\/3, and this vault-ceremony renders vault-ceremony-transcript\/\d+.*release that wrote it/,
    );
    expect(report.signatures.every((s) => s.good)).toBe(true);
  });

  it('is anchored only when every signer is in the given keyrings (armored or binary) or fingerprint list', async () => {
    expect((await verifyBundleContents(contents)).verdict).toBe('unanchored');
    const all = await readAnchors(bundle.dir, writeKeyrings(signers), undefined);
    expect(all.ok && (await verifyBundleContents(contents, { anchors: all.value })).verdict).toBe('anchored');

    const binary = join(bundle.root, 'ring.gpg');
    writeFileSync(binary, execFileSync('gpg', ['--homedir', gnupg.home, '--batch', '--export']));
    const exported = await readAnchors(bundle.dir, [binary], undefined);
    expect(exported.ok && (await verifyBundleContents(contents, { anchors: exported.value })).verdict).toBe('anchored');

    const list = join(bundle.root, 'fingerprints.txt');
    writeFileSync(list, signers.map((s) => s.fingerprint.toUpperCase().replace(/(.{4})/g, '$1 ')).join('\n') + '\n');
    const listed = await readAnchors(bundle.dir, [], list);
    expect(listed.ok && (await verifyBundleContents(contents, { anchors: listed.value })).verdict).toBe('anchored');

    const two = await readAnchors(bundle.dir, writeKeyrings(signers.slice(0, 2)), undefined);
    const report = two.ok ? await verifyBundleContents(contents, { anchors: two.value }) : undefined;
    expect(report?.verdict).toBe('failed');
    expect(report && kinds(report)).toEqual(['signer-unanchored']);
    expect(report?.problems[0]!.message).toContain("the witness 'carol'");
    expect(report?.signers.map((s) => s.anchored)).toEqual([true, true, false]);
  });

  it('refuses keys or fingerprints from inside the bundle folder, through a link too: they anchor nothing', async () => {
    const shipped = join(bundle.dir, 'signers', readdirSync(join(bundle.dir, 'signers'))[0]!);
    const linked = join(bundle.root, 'linked-ring.asc');
    symlinkSync(shipped, linked);
    const list = join(bundle.dir, 'fingerprints.txt');
    writeFileSync(list, `${signers[0]!.fingerprint}\n`);
    try {
      for (const [keyrings, fingerprints] of [
        [[shipped], undefined],
        [[linked], undefined],
        [[], list],
      ] as const) {
        const read = await readAnchors(bundle.dir, keyrings, fingerprints);
        expect(!read.ok && read.error.kind).toBe('anchors-in-bundle');
        expect(!read.ok && read.error.message).toContain('anchor nothing');
      }
      // Beside the bundle, not in it: read.
      expect((await readAnchors(bundle.dir, writeKeyrings(signers), undefined)).ok).toBe(true);
    } finally {
      rmSync(list);
      rmSync(linked);
    }
  });

  it('refuses a fingerprint list with a line that is not a fingerprint', async () => {
    const list = join(bundle.root, 'bad-fingerprints.txt');
    writeFileSync(list, `${signers[0]!.fingerprint}\nnot a fingerprint\n`);
    const read = await readAnchors(bundle.dir, [], list);
    expect(!read.ok && read.error.message).toContain('line 2 is not a 40-hex-digit fingerprint');
  });

  it('refuses a signer file with a key the plan does not name, and names a signer whose file is missing', async () => {
    const dave = await makeSigner('dave');
    const unplanned = await verifyBundleContents({
      ...contents,
      signers: [...contents.signers, { name: 'dave', publicKey: dave.publicKey }],
    });
    expect(kinds(unplanned)).toEqual(['signer-foreign']);
    const withoutCarol = await verifyBundleContents({ ...contents, signers: contents.signers.slice(0, 2) });
    expect(kinds(withoutCarol)).toEqual(['signer-key-missing', 'signature-foreign', 'signature-missing']);
  });

  it('flags a private key shipped in signers/ and stray files', async () => {
    const leaked = await verifyBundleContents({
      ...contents,
      signers: [...contents.signers.slice(0, 2), { name: 'carol', publicKey: signers[2]!.key.armoredPrivateKey }],
      strayFiles: ['notes.txt'],
    });
    expect(kinds(leaked)).toEqual([
      'signer-invalid',
      'signer-invalid',
      'signer-key-missing',
      'signature-foreign',
      'signature-missing',
    ]);
    expect(leaked.problems[1]!.message).toContain('PRIVATE key');
  });

  it('reports missing files', async () => {
    const none = { transcript: undefined, text: undefined, detached: undefined, journal: undefined, signers: [] };
    expect(kinds(await verifyBundleContents(none))).toEqual(['bundle-incomplete', 'bundle-incomplete']);
    const noDetached = await verifyBundleContents({ ...contents, text: undefined, detached: undefined });
    expect(noDetached.problems.map((p) => p.message)).toEqual([
      'transcript.txt is missing',
      'transcript.txt.sig is missing',
    ]);
  });

  it('accepts a good signature made by a clock running ahead, as gpg does', async () => {
    const chain = verifyJournalText(text(contents.journal));
    if (!chain.ok) throw new Error('fixture');
    const ahead = new Date(Date.now() + 3 * 3600_000);
    let signed = await signTranscript(renderTranscript(chain.value), await keySigner(signers[0]!.key, ahead));
    for (const w of signers.slice(1))
      signed = signed.ok ? await countersignTranscript(signed.value.armored, await keySigner(w.key, ahead)) : signed;
    if (!signed.ok) throw new Error(signed.error.message);
    const early = Buffer.from(signed.value.armored);
    expect(gpgAccepts(early)).toBe(true);
    const report = await verifyBundleContents({ ...contents, ...(await signedForms(signed.value.armored)) });
    expect(report.problems).toEqual([]);
    expect(report.signatures[0]!.created).toBe(new Date(Math.floor(ahead.getTime() / 1000) * 1000).toISOString());
  });
});

describe('gpg --verify and verify on the same tampered transcripts', () => {
  it('both fail at 40 positions spread over the file, except where OpenPGP cannot see the change: there verify alone fails', async () => {
    const transcript = contents.transcript!;
    const armor = text(transcript);
    expect(gpgAccepts(transcript)).toBe(true);
    // Changes OpenPGP cannot see, so only `verify`'s canonical-form check catches them: GnuPG
    // reads only the leading dashes of `-----BEGIN/END PGP SIGNATURE-----`, ignores a damaged
    // final newline, and decodes the unused low bits of the base64 character before `=` padding
    // to the same bytes (so the CRC still matches).
    const begin = armor.indexOf('-----BEGIN PGP SIGNATURE-----');
    const end = armor.indexOf('-----END PGP SIGNATURE-----');
    const crcLine = armor.lastIndexOf('\n=', end);
    let lastData = crcLine - 1;
    while (armor[lastData] === '=') lastData--;
    const padded = lastData < crcLine - 1;
    const neutral = (p: number) => (p > begin + 4 && p < begin + 30) || p > end + 4 || (padded && p === lastData);
    const positions = Array.from({ length: 40 }, (_, i) => Math.floor(((i + 0.5) * transcript.length) / 40));
    positions.push(begin + 6, end + 10, transcript.length - 1, ...(padded ? [lastData] : []));
    for (const p of positions) {
      const tampered = flipped(transcript, p, 0x01);
      const report = await verifyBundleContents({ ...contents, transcript: tampered });
      expect(report.valid, `verify accepted a change at byte ${p}`).toBe(false);
      if (!neutral(p)) expect(gpgAccepts(tampered), `gpg accepted a change at byte ${p}`).toBe(false);
    }
  }, 300_000);
});

function writeKeyrings(which: readonly TestSigner[]): string[] {
  return which.map((s) => {
    const path = join(bundle.root, `${s.name}-ring.asc`);
    writeFileSync(path, s.publicKey);
    return path;
  });
}

describe('readBundle', () => {
  it('reads the layout writeBundle produced', async () => {
    expect(contents.signers.map((s) => s.name)).toEqual(['alice', 'bob', 'carol']);
    expect(contents.strayFiles).toEqual([]);
    expect(text(contents.text)).toBe(readFileSync(join(bundle.dir, 'transcript.txt'), 'utf8'));
    expect(text(contents.transcript)).toBe(readFileSync(join(bundle.dir, 'transcript.txt.asc'), 'utf8'));
  });
});
