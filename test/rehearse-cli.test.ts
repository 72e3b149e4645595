// @tier integration
/**
 * `npx vault-ceremony rehearse --out DIR`, as a user runs it: exit 0, a bundle stock GnuPG
 * verifies (a good signature from the administrator and each witness), `vault-ceremony verify`
 * accepts, and a journal whose post-promotion status read saw the DR secondary report primary.
 * Plus the command's refusals of bad input, which change nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rehearseCommand } from '../cli/commands/rehearse';
import { captureIo } from './support/capture-io';
import { vaultCeremony as npx, type CliRun } from './support/vault-ceremony-cli';
import { createTempGnupg, type TempGnupg } from './support/temp-gnupg';
import { writeBundleKeyring } from './support/doctored-bundle';
import { BUNDLE_ENTRIES } from '../electron/services/transcript/bundle-layout';

const root = mkdtempSync(join(tmpdir(), 'vc-rehearse-'));
const out = join(root, 'bundle');
let rehearse: CliRun;
let gnupg: TempGnupg;

beforeAll(async () => {
  rehearse = await npx(['rehearse', '--out', out]);
  gnupg = createTempGnupg();
});

afterAll(() => {
  gnupg?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('vault-ceremony rehearse --out DIR', () => {
  it('exits 0 after promoting and verifying, with a concise progress log', () => {
    expect(rehearse.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(rehearse.code).toBe(0);
    expect(rehearse.stdout).toMatch(/officer-2's share was accepted: 2 of 3\./);
    expect(rehearse.stdout).toMatch(/Attempt 1 started; nonce [0-9a-f-]{36}; 0 of 3 shares/);
    expect(rehearse.stdout).toMatch(/DR secondary promoted: yes\nbundle verified: yes/);
    // The working folder (ceremony/) went once the bundle verified: DIR holds the bundle alone.
    expect(readdirSync(out).sort()).toEqual([...BUNDLE_ENTRIES].sort());
  });

  it('writes a transcript stock gpg verifies: a good signature by the administrator and each witness', async () => {
    for (const file of readdirSync(join(out, 'signers'))) gnupg.importKey(readFileSync(join(out, 'signers', file)));
    // gpg exits 0 only if every signature is good (unknown trust is fine).
    const { stdout } = gnupg.verifyBundle(out);
    const good = [...stdout.matchAll(/^\[GNUPG:\] GOODSIG [0-9A-F]{16} (\S+)/gm)].map((m) => m[1]);
    expect(good).toEqual(['administrator', 'witness-1', 'witness-2']);
    expect(stdout).not.toMatch(/BADSIG|ERRSIG/);
  });

  it('passes vault-ceremony verify: consistent alone (exit 3), anchored by the signers’ keys (exit 0)', async () => {
    const alone = await npx(['verify', out]);
    expect(alone.code).toBe(3);
    expect(alone.stdout).toMatch(/CONSISTENT BUT UNANCHORED/);
    expect(alone.stdout).toMatch(/\(REHEARSAL\)/);
    const keys = writeBundleKeyring(join(root, 'signer-keys.asc'), out);
    const anchored = await npx(['verify', out, '--keyring', keys]);
    expect(anchored.code).toBe(0);
    expect(anchored.stdout).toMatch(/VERIFIED: every signature, the hash chain/);
    // A practice run's bundle gives no warning to learn to skip.
    expect(`${alone.stdout}${anchored.stdout}`).not.toMatch(/WARNING/);
  });

  it("records the post-check's status read: the DR secondary reported mode primary", () => {
    const events = readFileSync(join(out, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const read = events.filter((e) => e.step === 'check-promoted' && e.type === 'vault-response');
    expect(read.map((e) => e.details.data.dr.mode)).toEqual(['primary']);
    expect(events[events.length - 1]).toMatchObject({ type: 'ceremony-finished', details: { outcome: 'promoted' } });
  });
});

describe('vault-ceremony rehearse refuses bad input and changes nothing', () => {
  const refuse = async (argv: string[], message: RegExp) => {
    const { io, stdout, stderr } = captureIo();
    expect(await rehearseCommand(argv, io)).toBe(2);
    expect(stderr()).toMatch(message);
    return stdout();
  };

  it('needs --out', () => refuse([], /--out is required/));

  it('refuses --resume without --cluster, and --officers with --cluster', async () => {
    await refuse(['--out', join(root, 'r'), '--resume'], /--resume needs --cluster/);
    await refuse(
      ['--out', join(root, 'r'), '--cluster', 'x.json', '--officers', '3'],
      /with --cluster the rehearsal Vault already decided them/,
    );
    await refuse(['--out', join(root, 'r'), '--vault-version', '3'], /--vault-version must be 1 or 2/);
    expect(existsSync(join(root, 'r'))).toBe(false);
  });

  it('refuses a folder that is not empty, leaving it as it was', async () => {
    const dir = join(root, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'x');
    await refuse(['--out', dir], /is not empty/);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('refuses a threshold Vault would refuse, creating nothing', async () => {
    const dir = join(root, 'threshold');
    await refuse(
      ['--out', dir, '--officers', '3', '--threshold', '4'],
      /threshold must be between 1 and the number of officers \(3\)/,
    );
    await refuse(['--out', dir, '--pace', 'slow'], /--pace must be a whole number/);
    expect(existsSync(dir)).toBe(false);
  });
});
