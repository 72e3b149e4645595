// @tier integration
/**
 * A headless rehearsal against a Vault 2.x rehearsal Vault, where generating the DR operation
 * token needs a Vault token: the plan takes the primary-root-token path from the version the
 * server reports, the administrator enters the primary's root token, the attempt calls carry it,
 * and it is on no file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRehearsalVault, type RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { runRehearsal, type RehearsalResult } from './headless-rehearsal';
import { filesUnder } from '../../../test/support/files-under';

const root = mkdtempSync(join(tmpdir(), 'vc-rehearse-v2-'));
const log: string[] = [];
let vault: RehearsalVault;
let result: RehearsalResult;

beforeAll(async () => {
  const started = await startRehearsalVault({ officers: 3, threshold: 2, vaultVersion: 2 });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  const r = await runRehearsal({
    out: join(root, 'out'),
    target: { kind: 'in-process', vault },
    log: (l) => log.push(l),
  });
  if (!r.ok) throw new Error(r.error.message);
  result = r.value;
});

afterAll(async () => {
  await vault?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('a Vault 2.x rehearsal', () => {
  it('plans the primary-root-token path, enters the root token, and promotes', () => {
    expect(result.committed).toBe(true);
    expect(result.report.valid).toBe(true);
    expect(vault.cluster('drSecondary').replication.dr.mode).toBe('primary');
    expect(log).toContain("  administrator enters the primary's root token");
    const plan = readFileSync(join(root, 'out', 'ceremony', 'plan.yaml'), 'utf8');
    expect(plan).toMatch(/^vault_version: 2$/m);
    expect(plan).toMatch(/^token_path: primary-root-token$/m);
  });

  it('keeps the root token off every file and the log', () => {
    const token = vault.rootToken;
    for (const file of filesUnder(join(root, 'out'))) expect(readFileSync(file, 'utf8')).not.toContain(token);
    expect(log.join('\n')).not.toContain(token);
    const journal = readFileSync(join(root, 'out', 'journal.jsonl'), 'utf8');
    expect(journal).toContain('"step":"enter-root-token"');
  });
});
