// @tier integration
/**
 * `npx vault-ceremony rehearse --kind failback --out DIR`, as a user runs it: the scene is set
 * (the DR secondary promoted by a rehearsed promotion, the old primary back as a primary), then
 * the failback runs as its own signed ceremony. Exit 0 with the old primary following the new one;
 * `vault-ceremony verify DIR --keyring KEYS` accepts the bundle; the transcript names demote and
 * update-primary; the journal's post-check saw the old primary connected to the new one.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rehearseCommand } from '../cli/commands/rehearse';
import { captureIo } from './support/capture-io';
import { vaultCeremony as npx, type CliRun } from './support/vault-ceremony-cli';
import { BUNDLE_ENTRIES } from '../electron/services/transcript/bundle-layout';

const root = mkdtempSync(join(tmpdir(), 'vc-failback-'));
const out = join(root, 'bundle');
let rehearse: CliRun;

function journal(dir: string) {
  return readFileSync(join(dir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

beforeAll(async () => {
  rehearse = await npx(['rehearse', '--kind', 'failback', '--out', out], 180_000);
}, 200_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('vault-ceremony rehearse --kind failback --out DIR', () => {
  it('exits 0 with the old primary following the new one', () => {
    expect(rehearse.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(rehearse.code).toBe(0);
    expect(rehearse.stdout).toMatch(/Setting the scene for the failback: the primary is lost/);
    expect(rehearse.stdout).toMatch(/still reports itself DR primary/);
    const followed =
      /old primary follows the new primary: yes \(DR mode 'secondary', connected to (\S+); new primary (\S+)\)/.exec(
        rehearse.stdout,
      );
    expect(followed?.[1]).toBe(followed?.[2]);
    expect(rehearse.stdout).toMatch(/bundle verified: yes/);
    // The working folders went once the bundles verified; the promotion that set the scene stays, a bundle of its own.
    expect(readdirSync(out).sort()).toEqual([...BUNDLE_ENTRIES, 'promotion'].sort());
  });

  it("passes vault-ceremony verify against the signers' keys", async () => {
    // The auditor's copies, outside the bundle: verify refuses keys from inside it as anchors.
    const keys = join(root, 'auditor-keys');
    cpSync(join(out, 'signers'), keys, { recursive: true });
    const keyrings = readdirSync(keys).flatMap((f) => ['--keyring', join(keys, f)]);
    expect(keyrings).toHaveLength(6);
    const verify = await npx(['verify', out, ...keyrings]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/ceremony: +"?rehearsal-failback-/);
    expect(verify.stdout).toMatch(/VERIFIED: every signature, the hash chain/);
    // Only the scene's own bundle is named as not signed by this one.
    expect(verify.stdout.match(/^WARNING: .*/gm)).toEqual([
      expect.stringMatching(
        /^WARNING: 1 entry in the bundle folder is NOT signed and NOT checked: "promotion\/" \(a folder/,
      ),
    ]);
  });

  it('writes a transcript that names demote and update-primary, in the failback order', () => {
    const transcript = readFileSync(join(out, 'transcript.txt.asc'), 'utf8');
    expect(transcript).toMatch(/Outcome: +failed back/);
    const at = (text: string) => transcript.indexOf(text);
    const demote = at('path: "sys/replication/dr/primary/demote"');
    const token = at('path: "sys/replication/dr/primary/secondary-token"');
    const update = at('path: "sys/replication/dr/secondary/update-primary"');
    const deleted = at('path: "sys/replication/dr/secondary/operation-token/delete"');
    expect(demote).toBeGreaterThan(0);
    expect(token).toBeGreaterThan(demote);
    expect(update).toBeGreaterThan(token);
    expect(deleted).toBeGreaterThan(update);
    // Each asked for, then authorised by the administrator's and a witness's signed statement, before the laptop acted.
    for (const step of ['demote', 'update-primary']) {
      const lines = transcript.split('\n').filter((l) => new RegExp(`^  \\[\\d+\\] \\S+  ${step}  `).test(l));
      expect(lines.map((l) => l.split(/ +/)[4])).toEqual([
        'authorisation-requested',
        'step-authorised',
        'step-authorised',
        'vault-request',
        'vault-response',
        'service-result',
      ]);
    }
  });

  it('records the post-check: the old primary a DR secondary connected to the new primary', () => {
    const events = journal(out);
    const read = events.filter((e) => e.step === 'check-failback' && e.type === 'vault-response');
    expect(read).toHaveLength(1);
    const dr = read[0]!.details.data.dr;
    expect(dr.mode).toBe('secondary');
    expect(dr.secondary_id).toBe('old-primary');
    const newPrimary = events.find((e) => e.step === 'check-new-primary' && e.type === 'vault-request')?.details;
    expect(newPrimary?.profile).toBe('dr-secondary');
    expect(dr.primaries).toEqual([expect.objectContaining({ connection_status: 'connected' })]);
    expect(events[events.length - 1]).toMatchObject({
      type: 'ceremony-finished',
      details: { outcome: 'failed back' },
    });
  });

  it('keeps the promotion that set the scene as a bundle of its own', () => {
    expect(readdirSync(join(out, 'promotion')).sort()).toEqual([...BUNDLE_ENTRIES].sort());
    const events = journal(join(out, 'promotion'));
    expect(events[events.length - 1]).toMatchObject({ type: 'ceremony-finished', details: { outcome: 'promoted' } });
  });
});

describe('vault-ceremony rehearse --kind', () => {
  it('refuses a kind it does not know, creating nothing', async () => {
    const { io, stderr } = captureIo();
    expect(await rehearseCommand(['--out', join(root, 'x'), '--kind', 'failover'], io)).toBe(2);
    expect(stderr()).toMatch(/--kind must be promotion or failback, not 'failover'/);
    expect(readdirSync(root)).not.toContain('x');
  });
});
