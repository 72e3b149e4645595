// @tier integration
/**
 * A whole rehearsal whose cast keeps an officer's and the administrator's keys on card-like tokens
 * (SoftHSM2 through gnupg-pkcs11-scd, each their own token and GnuPG home), the other people with
 * key files: `vault-ceremony rehearsal-vault --officer-keys` encrypts the card officer's share to
 * the token's key, and `vault-ceremony rehearse --cluster … --cast CAST.json` (the built CLI, as
 * its own process) decrypts it on the token and signs the transcript there. The bundle verifies
 * with `verify --keyring` and stock `gpg --verify`, the homes hold only stubs, and no agent (so no
 * cached PIN) outlives a person's turn. A wrong PIN, against a second rehearsal Vault, is refused
 * and named before anything is sent, and journaled without the PIN.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOfficerKey, type OfficerKey } from '../../rehearsal-vault/officer-keys';
import { builtCli } from '../support/built-programs';
import { createSoftHsmCard, softHsmMissing, type SoftHsmCard } from '../support/softhsm-card';
import { createTempGnupg, type TempGnupg } from '../support/temp-gnupg';

const missing = softHsmMissing();
if (missing) console.warn(`skipping the smartcard rehearsal: ${missing}`);

const PASSPHRASE = 'ben passphrase';
const WRONG_PIN = '135790';
const RIGHT_PIN = '246810';

interface Run {
  readonly code: number | null;
  readonly output: string;
}

describe.skipIf(missing !== undefined)('a rehearsal with an officer and the administrator on tokens', () => {
  let root: string;
  let olu: SoftHsmCard;
  let ada: SoftHsmCard;
  let ben: OfficerKey;
  let cy: OfficerKey;
  let wes: OfficerKey;
  let verifier: TempGnupg;
  const vaults: ChildProcess[] = [];
  let good: Run;
  let wrongPin: Run;

  /** `vault-ceremony ARGS` in its own process group, so it and only it can be signalled. */
  function cli(args: string[]): { child: ChildProcess; exited: Promise<Run> } {
    const child = spawn(process.execPath, [builtCli(), ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, output })));
    return { child, exited };
  }

  async function startVault(dir: string): Promise<string> {
    const people = join(root, 'people');
    const keys = ['olu', 'ben', 'cy'].map((n) => join(people, `${n}.pub.asc`)).join(',');
    const vault = cli(['rehearsal-vault', '--dir', dir, '--officer-keys', keys, '--threshold', '3']);
    vaults.push(vault.child);
    const clusterJson = join(dir, 'cluster.json');
    const deadline = Date.now() + 90_000;
    while (!existsSync(clusterJson)) {
      if (Date.now() > deadline) throw new Error('the rehearsal Vault wrote no cluster.json');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return clusterJson;
  }

  /** CAST.json in `root`: card people by absolute path, key files relative to it. */
  function writeCast(name: string, oluPin: string): string {
    const gpg = (card: SoftHsmCard, pinFile: string) => ({ gpg: { homedir: card.homedir, pin_file: pinFile } });
    const openpgp = (who: string, passphrase: string | null) => ({
      openpgp: { private_key_file: `people/${who}.key.asc`, passphrase_file: passphrase },
    });
    const cast = {
      administrator: { name: 'ada', fingerprint: ada.fingerprint.toUpperCase(), key: gpg(ada, ada.pinFile) },
      witnesses: [{ name: 'wes', fingerprint: wes.fingerprint, key: openpgp('wes', null) }],
      officers: [
        { name: 'olu', fingerprint: olu.fingerprint, key: gpg(olu, oluPin) },
        { name: 'ben', fingerprint: ben.fingerprint, key: openpgp('ben', 'people/ben.pass') },
        { name: 'cy', fingerprint: cy.fingerprint, key: openpgp('cy', null) },
      ],
    };
    const path = join(root, name);
    writeFileSync(path, JSON.stringify(cast, null, 2));
    return path;
  }

  /** A journal's events: a bundle's, or the working one a failed run leaves in DIR/ceremony/. */
  const journal = (path: string) =>
    readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; actor: string; details: Record<string, unknown> });

  /** The share commitment a share-entry result records. */
  const shareOf = (e: { details: Record<string, unknown> } | undefined) =>
    e?.details.share as { officer: string; form: string; fingerprint?: string } | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'vc-cast-'));
    olu = createSoftHsmCard('Olu Card');
    ada = createSoftHsmCard('Ada Card');
    [ben, cy, wes] = await Promise.all([
      generateOfficerKey({ name: 'ben', passphrase: PASSPHRASE }),
      generateOfficerKey({ name: 'cy' }),
      generateOfficerKey({ name: 'wes', algorithm: 'rsa3072' }),
    ]);
    const people = join(root, 'people');
    mkdirSync(people);
    writeFileSync(join(people, 'olu.pub.asc'), olu.publicKeyArmored);
    for (const k of [ben, cy, wes]) {
      writeFileSync(join(people, `${k.name}.pub.asc`), k.publicKeyArmored);
      writeFileSync(join(people, `${k.name}.key.asc`), k.privateKeyArmored, { mode: 0o600 });
    }
    writeFileSync(join(people, 'ben.pass'), `${PASSPHRASE}\n`, { mode: 0o600 });
    writeFileSync(join(root, 'keys.asc'), ada.publicKeyArmored + wes.publicKeyArmored);
    verifier = createTempGnupg();
    verifier.importKey(ada.publicKeyArmored);
    verifier.importKey(wes.publicKeyArmored);

    // The wrong PIN first, against a rehearsal Vault of its own (the officers' keys are the same).
    const wrongCluster = await startVault(join(root, 'vault-wrong'));
    const wrongCast = writeCast('cast-wrong.json', olu.wrongPinFile);
    wrongPin = await cli(['rehearse', '--cluster', wrongCluster, '--cast', wrongCast, '--out', join(root, 'out-wrong')])
      .exited;

    const cluster = await startVault(join(root, 'vault'));
    good = await cli([
      'rehearse',
      '--cluster',
      cluster,
      '--cast',
      writeCast('CAST.json', olu.pinFile),
      '--out',
      join(root, 'out'),
    ]).exited;
  }, 400_000);

  afterAll(async () => {
    for (const vault of vaults) {
      if (vault.pid === undefined || vault.exitCode !== null) continue;
      const exited = new Promise((resolve) => vault.once('exit', resolve));
      process.kill(-vault.pid, 'SIGTERM');
      await exited;
    }
    olu?.cleanup();
    ada?.cleanup();
    verifier?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("finishes promoted, the card officer's share decrypted on the token", () => {
    expect(good.output).toContain('DR secondary promoted: yes');
    expect(good.output).toContain('bundle verified: yes');
    expect(good.code).toBe(0);
    const olusShare = journal(join(root, 'out', 'journal.jsonl')).find((e) => shareOf(e)?.officer === 'olu');
    expect(shareOf(olusShare)).toMatchObject({ form: 'pgp', fingerprint: olu.fingerprint });
  });

  it('verifies with `verify --keyring` (exit 0)', () => {
    const r = spawnSync(
      process.execPath,
      [builtCli(), 'verify', join(root, 'out'), '--keyring', join(root, 'keys.asc')],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stdout + r.stderr).not.toMatch(/FAIL/);
    expect(r.status).toBe(0);
    // The working folder went once the bundle verified: nothing in the folder for verify to warn about.
    expect(r.stdout).not.toMatch(/WARNING/);
  });

  it("shows the token key's good signature to stock gpg --verify", () => {
    const r = verifier.verifyBundle(join(root, 'out'));
    expect(r.status).toBe(0);
    const valid = [
      ...r.stdout.matchAll(/^\[GNUPG:\] VALIDSIG \S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+ ([0-9A-F]{40})$/gm),
    ].map((m) => m[1]!.toLowerCase());
    expect(valid.sort()).toEqual([ada.fingerprint, wes.fingerprint].sort());
    expect(r.stdout).toMatch(/^\[GNUPG:\] GOODSIG [0-9A-F]{16} Ada Card/m);
  });

  it('leaves only shadowed stubs in the token homes, and no agent holding a PIN', () => {
    for (const card of [olu, ada]) {
      const dir = join(card.homedir, 'private-keys-v1.d');
      const stubs = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'latin1'));
      expect(stubs.length).toBeGreaterThanOrEqual(2);
      for (const stub of stubs) expect(stub).toMatch(/shadowed-private-key/);
      // Each person's agent (and card daemon, which caches the PIN) was stopped after their turn.
      const agent = spawnSync(
        'gpg-connect-agent',
        ['--homedir', card.homedir, '--no-autostart', 'GETINFO pid', '/bye'],
        {
          encoding: 'utf8',
        },
      );
      expect(agent.stdout).not.toMatch(/^D \d+/m);
    }
  });

  it('refuses a wrong PIN by name, sends nothing to Vault, and journals the refusal without the PIN', () => {
    expect(wrongPin.code).toBe(1);
    expect(wrongPin.output).toMatch(/the PIN for olu's smartcard is wrong; nothing was submitted/);
    const out = join(root, 'out-wrong');
    const events = journal(join(out, 'ceremony', 'journal.jsonl'));
    const refused = events.filter((e) => e.type === 'key-refused');
    expect(refused).toEqual([expect.objectContaining({ actor: 'olu', details: { kind: 'bad-passphrase' } })]);
    // olu is the first officer: no share was recorded as entered, none reached Vault.
    expect(events.some((e) => shareOf(e) !== undefined)).toBe(false);
    expect(JSON.stringify(events)).not.toMatch(/generate-operation-token\/update/);
    const text = readFileSync(join(out, 'ceremony', 'journal.jsonl'), 'utf8') + wrongPin.output;
    expect(text).not.toContain(WRONG_PIN);
    expect(text).not.toContain(RIGHT_PIN);
  });
});
