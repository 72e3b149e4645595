// @tier integration
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../../test/support/built-programs';
import { captureIo } from '../../test/support/capture-io';
import { makeBundle, threeSigners, type TestBundle, type TestSigner } from '../../test/support/transcript-bundle';
import { rehearsedBundle } from '../../test/support/rehearsed-bundle';
import { writeKeyring } from '../../test/support/doctored-bundle';
import { startRehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { generateSigners } from '../../electron/services/rehearsal/rehearsal-cast';
import { connectTarget } from '../../electron/services/rehearsal/rehearsal-target';
import { requireCodeCached } from '../code-cache';
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
  it('exits 3 on a fresh bundle without anchors, printing each signer’s name and fingerprint to compare', async () => {
    const { code, stdout, stderr } = await run(bundle.dir);
    expect(stderr).toBe('');
    expect(code).toBe(3);
    expect(stdout).toContain('ceremony:    "dc2-2025-01-31" (REHEARSAL)');
    expect(stdout).toContain('journal:     5 events, hash chain intact, head ');
    for (const [i, s] of signers.entries()) {
      expect(stdout).toMatch(new RegExp(`good  ${s.name} +${s.fingerprint}  signed \\d{4}-`));
      const grouped = s.fingerprint.toUpperCase().match(/.{4}/g)!.join(' ');
      expect(stdout).toContain(
        `UNANCHORED  ${i === 0 ? 'administrator' : 'witness      '} ${s.name.padEnd(16)} ${grouped}`,
      );
    }
    expect(stdout).toContain('CONSISTENT BUT UNANCHORED');
  });

  it('exits 0 with the signers’ keys or fingerprints as anchors', async () => {
    const ring = join(bundle.root, 'all.asc');
    writeFileSync(ring, signers.map((s) => s.publicKey).join(''));
    const keyed = await run(bundle.dir, '--keyring', ring);
    expect(keyed.code).toBe(0);
    expect(keyed.stdout).toContain('VERIFIED: every signature');
    const list = join(bundle.root, 'fingerprints.txt');
    writeFileSync(list, signers.map((s) => s.fingerprint).join('\n'));
    expect((await run(bundle.dir, '--fingerprints', list)).code).toBe(0);
  });

  it("exits 2 on the bundle's own signer keys given as the auditor's keyring: they anchor nothing", async () => {
    const shipped = join(bundle.dir, 'signers', readdirSync(join(bundle.dir, 'signers'))[0]!);
    const { code, stdout, stderr } = await run(bundle.dir, '--keyring', shipped);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${shipped} is inside the bundle folder ${bundle.dir}`);
    expect(stderr).toContain('anchor nothing');
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
    expect(partial.stderr).toContain("the witness 'carol'");
    expect(partial.stderr).toContain('neither in the keyrings nor on the fingerprint list you gave');
    const third = join(bundle.root, 'third.asc');
    writeFileSync(third, signers[2]!.publicKey);
    const full = await run(bundle.dir, '--keyring', ring, '--keyring', third);
    expect(full.code).toBe(0);
  });

  it('exits 0 on an aborted ceremony’s bundle, anchored, and shows the outcome and the signed abort', async () => {
    const reason = 'the laptop tamper seal is broken';
    const officers = 'rehearsal officers';
    const vault = await startRehearsalVault({ officers: 2, threshold: 2, passphrase: officers });
    if (!vault.ok) throw new Error(vault.error.message);
    const target = await connectTarget({ kind: 'in-process', vault: vault.value, officerPassphrase: officers });
    try {
      if (!target.ok) throw new Error(target.error.message);
      const cast = await generateSigners(undefined);
      const dir = await rehearsedBundle({
        dir: join(bundle.root, 'aborted'),
        id: 'aborted',
        target: target.value,
        cast,
        until: () => true,
        act: (service) => service.act({ type: 'abort', actor: cast.administrator.name, reason }),
      });
      const ring = writeKeyring(join(bundle.root, 'aborted.asc'), [cast.administrator, ...cast.witnesses]);
      const { code, stdout, stderr } = await run(dir, '--keyring', ring);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('\noutcome:     aborted\n');
      expect(stdout).toMatch(new RegExp(`good  anchored    roll-call +administrator .* abort: "${reason}"\n`));
      expect(stdout).toMatch(/good {2}anchored {4}roll-call +witness +/);
      expect(stdout).toContain('VERIFIED: every signature');
      expect(readFileSync(join(dir, 'transcript.txt'), 'utf8')).toMatch(/^Outcome: +ABORTED$/m);
    } finally {
      if (target.ok) target.value.client.close();
      await vault.value.close();
    }
  });

  it('exits 2 on usage errors', async () => {
    for (const argv of [
      [],
      ['--bogus', bundle.dir],
      [bundle.dir, 'extra'],
      [join(bundle.root, 'missing')],
      [bundle.dir, '--keyring', join(bundle.root, 'none.asc')],
      [bundle.dir, '--fingerprints', join(bundle.root, 'none.txt')],
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
    expect(r.status).toBe(3);
  });

  it('runs, built, from the code cache its build wrote with this Node (not compiling its bundle)', () => {
    const built = requireCodeCached(join(dirname(builtCli()), 'chunks', 'verify.cjs'));
    expect(built.cache).toBe('used');
    expect(built.exports).toHaveProperty('verifyCommand');
  });
});
