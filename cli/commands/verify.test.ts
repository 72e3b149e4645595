import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../../test/support/built-cli';
import { captureIo } from '../../test/support/capture-io';
import { makeBundle, threeSigners, type TestBundle, type TestSigner } from '../../test/support/transcript-bundle';
import { main } from '../main';

let signers: TestSigner[];
let bundle: TestBundle;

beforeAll(async () => {
  signers = await threeSigners();
  bundle = await makeBundle(signers);
});
afterAll(() => bundle.dispose());

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(['verify', ...argv], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('vault-ceremony verify', () => {
  it('exits 0 on a fresh bundle and prints who signed', async () => {
    const { code, stdout, stderr } = await run(bundle.dir);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('ceremony:    "dc2-2025-01-31" (REHEARSAL)');
    expect(stdout).toContain('journal:     5 events, hash chain intact, head ');
    for (const s of signers) expect(stdout).toMatch(new RegExp(`good  ${s.name} +${s.fingerprint}  signed \\d{4}-`));
    expect(stdout).toContain('verified: every signature');
  });

  it('exits 1 with the reason when the journal was altered', async () => {
    const journal = join(bundle.dir, 'journal.jsonl');
    const original = readFileSync(journal, 'utf8');
    try {
      writeFileSync(journal, original.replace('primary fenced', 'primary FENCED'));
      const { code, stderr, stdout } = await run(bundle.dir);
      expect(code).toBe(1);
      expect(stdout).toContain('NOT VERIFIED');
      expect(stderr).toContain('FAILED');
      expect(stderr).toContain('journal.jsonl: event seq 3 (line 3)');
    } finally {
      writeFileSync(journal, original);
    }
  });

  it('exits 1 when a signer is not in the given keyring', async () => {
    const ring = join(bundle.root, 'two.asc');
    writeFileSync(ring, signers[0]!.publicKey + signers[1]!.publicKey);
    const partial = await run(bundle.dir, '--keyring', ring);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('not in the trusted keyrings');
    const third = join(bundle.root, 'third.asc');
    writeFileSync(third, signers[2]!.publicKey);
    const full = await run(bundle.dir, '--keyring', ring, '--keyring', third);
    expect(full.code).toBe(0);
    expect(full.stdout).toContain('checked against the given keyrings');
  });

  it('exits 2 on usage errors', async () => {
    for (const argv of [
      [],
      ['--bogus', bundle.dir],
      [bundle.dir, 'extra'],
      [join(bundle.root, 'missing')],
      [bundle.dir, '--keyring', join(bundle.root, 'none.asc')],
    ]) {
      const { code, stderr } = await run(...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr).toContain('usage: vault-ceremony verify DIR');
    }
  });

  it('runs as the installed command', () => {
    const root = join(import.meta.dirname, '..', '..');
    const r = spawnSync(process.execPath, [builtCli(), 'verify', bundle.dir], {
      cwd: root,
    });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
  });
});
