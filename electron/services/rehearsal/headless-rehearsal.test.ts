// @tier integration
/**
 * A headless rehearsal against a Vault 2.x rehearsal Vault, where generating the DR operation
 * token needs a Vault token: the plan takes the primary-root-token path from the version the
 * server reports, the administrator enters the primary's root token, the attempt calls carry it,
 * and it is on no file. Once the bundle verifies, the working folder goes, having held nothing
 * of the record the bundle does not.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRehearsalVault, type RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { recordedPlan } from '../../../shared/ceremony/recorded-plan';
import { validatePlan } from '../../../shared/ceremony/ceremony-plan';
import { verifyJournalText } from '../../../shared/record/journal-event';
import { nodeSha256Text } from '../files/sha256-text';
import { verifyBundle } from '../transcript/verify';
import { runRehearsal, type RehearsalResult } from './headless-rehearsal';
import { filesUnder } from '../../../test/support/files-under';
import { BUNDLE_ENTRIES } from '../transcript/bundle-layout';

const root = mkdtempSync(join(tmpdir(), 'vc-rehearse-v2-'));
const out = join(root, 'out');
const log: string[] = [];
let vault: RehearsalVault;
let result: RehearsalResult;
/** The working folder's files as they stood when the bundle was written, before it was removed. */
const working = new Map<string, string>();

beforeAll(async () => {
  const started = await startRehearsalVault({ officers: 3, threshold: 2, vaultVersion: 2 });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  const r = await runRehearsal({
    out,
    target: { kind: 'in-process', vault },
    log: (l) => {
      log.push(l);
      if (l.startsWith('bundle written to '))
        for (const name of readdirSync(join(out, 'ceremony')))
          working.set(name, readFileSync(join(out, 'ceremony', name), 'utf8'));
    },
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
    expect(working.get('plan.yaml')).toMatch(/^vault_version: 2$/m);
    expect(working.get('plan.yaml')).toMatch(/^token_path: primary-root-token$/m);
  });

  it('removes the working folder once the bundle verifies, leaving a bundle verify warns nothing about', async () => {
    expect(existsSync(join(out, 'ceremony'))).toBe(false);
    expect(readdirSync(out).sort()).toEqual([...BUNDLE_ENTRIES].sort());
    expect(log).toContain(
      `Removed the working folder ${join(out, 'ceremony')}: the bundle holds the record, and nothing is left to resume`,
    );
    const report = await verifyBundle(out);
    expect(report.valid).toBe(true);
    expect(report.warnings).toEqual([]);
  });

  it('lost nothing of the record with it: the plan, the journal up to the signed head, the signatures', () => {
    // The lock is the open journal's (../files/folder-lock.ts), gone once it closes.
    expect([...working.keys()].sort()).toEqual([
      'journal.jsonl',
      'journal.jsonl.lock',
      'journal.jsonl.signing.json',
      'plan.yaml',
    ]);
    const bundled = readFileSync(join(out, 'journal.jsonl'), 'utf8');
    const full = working.get('journal.jsonl')!;
    expect(full.startsWith(bundled)).toBe(true);
    // After the signed head: each signer's acknowledgement and signature, then the bundle written.
    const after = full
      .slice(bundled.length)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step: string });
    expect(after.map((e) => `${e.type} ${e.step}`)).toEqual([
      ...['administrator', 'witness-1', 'witness-2'].flatMap(() => [
        'step-acknowledged sign-transcript',
        'service-result sign-transcript',
      ]),
      'bundle-exported finished',
    ]);
    const chain = verifyJournalText(bundled, { sha256: nodeSha256Text });
    if (!chain.ok) throw new Error(chain.error.message);
    const plan = recordedPlan(chain.value);
    expect(plan.ok).toBe(true);
    expect(validatePlan(parse(working.get('plan.yaml')!))).toEqual(plan);
    const signing = JSON.parse(working.get('journal.jsonl.signing.json')!) as { head: string };
    expect(signing.head).toBe(result.report.head);
  });

  it('keeps the root token off every file and the log', () => {
    const token = vault.rootToken;
    for (const file of filesUnder(out)) expect(readFileSync(file, 'utf8')).not.toContain(token);
    for (const text of working.values()) expect(text).not.toContain(token);
    expect(log.join('\n')).not.toContain(token);
    const journal = readFileSync(join(out, 'journal.jsonl'), 'utf8');
    expect(journal).toContain('"step":"enter-root-token"');
  });
});
