// @tier integration
/**
 * Card keys through the wizard's channels: a plan ceremony against the rehearsal Vault in which
 * officer Olu's share is encrypted to a card-like token's key (SoftHSM2 through gnupg-pkcs11-scd)
 * and administrator Ada signs the transcript on her own token, both choosing "key in GnuPG / on a
 * smartcard" with a typed PIN. A wrong PIN is refused and named, nothing is sent or signed, and the
 * journal records the refusal without the PIN; then the right PIN works, and the bundle verifies.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateOfficerKey, type OfficerKey } from '../../../rehearsal-vault/officer-keys';
import { validPlanData } from '../../../test/support/ceremony-plan-data';
import { wizardChannels, type WizardChannels } from '../../../test/support/wizard-channels';
import { createSoftHsmCard, softHsmMissing, type SoftHsmCard } from '../../../test/support/softhsm-card';
import { createRehearsalHost } from '../../services/rehearsal/rehearsal-host';
import { verifyBundle } from '../../services/transcript/verify';
import { signingKeyIn } from '../../services/rehearsal/rehearsal-kit';

const missing = softHsmMissing();
if (missing) console.warn(`skipping the card ceremony through the channels: ${missing}`);

const RIGHT_PIN = '246810';
const WRONG_PIN = '135790';

describe.skipIf(missing !== undefined)('a ceremony with card keys through the wizard’s channels', () => {
  let dir: string;
  let channels: WizardChannels;
  const rehearsal = createRehearsalHost();
  let olu: SoftHsmCard;
  let ada: SoftHsmCard;
  let ben: OfficerKey;
  let wes: OfficerKey;
  let kit: string;

  const call: WizardChannels['call'] = (channel, arg) => channels.call(channel, arg);
  const must: WizardChannels['must'] = (channel, arg) => channels.must(channel, arg);
  const snapshot = async () => (await must('ceremony.status', {})).ceremony!;
  const file = (name: string, text: string) => (writeFileSync(join(kit, name), text), join(kit, name));
  const journal = async () => readFileSync((await snapshot()).journal.path, 'utf8');

  /** Acknowledges, authorises, and enters the rehearsal root token until shares or signatures are asked for. */
  async function playUntil(input: 'share' | 'signature') {
    for (let move = 0; move < 100; move++) {
      const s = await snapshot();
      const request = s.acknowledgements[0]?.anyOf[0];
      if (s.input === input) return s;
      if (s.input === 'root-token') await must('ceremony.provideToken', { rehearsalRootToken: true });
      else if (s.input === 'authorisation' && request)
        // The irreversible step: Ada authorises on her card, Wes with his key file.
        await must('ceremony.authorise', {
          actor: request.name,
          key:
            request.name === 'Ada'
              ? { kind: 'gpg', homedir: ada.homedir, pin: RIGHT_PIN }
              : { kind: 'openpgp', privateKeyPath: file('wes.key.asc', wes.privateKeyArmored) },
        });
      else if (request)
        await must('ceremony.act', { type: 'acknowledge', step: s.step, actor: request.name, role: request.role });
      else throw new Error(`stuck at ${s.step}: ${s.lastError?.message ?? s.awaiting}`);
    }
    throw new Error('too many moves');
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'card-handlers-'));
    kit = dir;
    [olu, ada] = [createSoftHsmCard('Olu'), createSoftHsmCard('Ada')];
    [ben, wes] = await Promise.all([generateOfficerKey({ name: 'Ben' }), generateOfficerKey({ name: 'Wes' })]);
    channels = wizardChannels(dir, rehearsal);

    // The rehearsal Vault encrypts Olu's share to the token's key, Ben's to his key file's.
    const v = await rehearsal.restart({
      threshold: 2,
      officerKeys: [
        { name: 'Olu', publicKey: olu.publicKeyArmored },
        { name: 'Ben', publicKey: ben.publicKeyArmored },
      ],
    });
    if (!v.ok) throw new Error(v.error.message);
    await must('profiles.save', {
      profile: {
        name: 'dc2',
        address: v.value.drSecondary.apiAddr,
        caCertPath: file('ca.pem', v.value.caPem),
        clientCertPath: file('client.pem', v.value.clientCertPem),
        clientKeyPath: file('client-key.pem', v.value.clientKeyPem),
      },
      replace: false,
    });
    await must('app.selectMode', { mode: 'live', profile: 'dc2' });
    const plan = file(
      'plan.yaml',
      stringify({
        ...validPlanData(),
        id: 'dr-dc2-cards',
        primary_cluster_addr: undefined,
        administrator: { name: 'Ada', fingerprint: ada.fingerprint.toUpperCase() },
        witnesses: [{ name: 'Wes', fingerprint: wes.fingerprint }],
        officers: v.value.officers.map((o) => ({ name: o.name, fingerprint: o.fingerprint })),
      }),
    );
    for (const o of v.value.officers) file(`${o.name}.b64`, o.encryptedShare);
    const keyring = file('officers.asc', v.value.officers.map((o) => o.publicKeyArmored).join('\n'));
    await must('ceremony.startFromPlan', { planPath: plan, officerKeysPath: keyring });
  }, 180_000);

  afterAll(async () => {
    await channels?.ceremony.shutdown();
    await rehearsal.close();
    olu?.cleanup();
    ada?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong card PIN by name, sends nothing and journals the refusal without the PIN', async () => {
    await playUntil('share');
    const pasted = readFileSync(join(kit, 'Olu.b64'), 'utf8');
    const wrong = await call('ceremony.submitShare', {
      officer: 'Olu',
      pasted,
      unlock: { kind: 'gpg', homedir: olu.homedir, pin: WRONG_PIN },
    });
    expect(wrong).toMatchObject({
      ok: false,
      error: { kind: 'decrypt-failed', message: expect.stringMatching(/PIN .*Olu.*wrong; nothing was submitted/) },
    });
    expect(JSON.stringify(wrong)).not.toContain(WRONG_PIN);
    const s = await snapshot();
    expect(s.progress).toMatchObject({ entered: 0 });
    const refusals = (await journal()).split('\n').filter((l) => l.includes('key-refused'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('"actor":"Olu"');
    expect(await journal()).not.toContain(WRONG_PIN);
  }, 120_000);

  it('refuses another person’s card before asking it for the PIN', async () => {
    const pasted = readFileSync(join(kit, 'Olu.b64'), 'utf8');
    const r = await call('ceremony.submitShare', {
      officer: 'Olu',
      pasted,
      unlock: { kind: 'gpg', homedir: ada.homedir, pin: RIGHT_PIN },
    });
    expect(r).toMatchObject({ ok: false, error: { message: expect.stringContaining('no secret key') } });
    expect((await snapshot()).progress).toMatchObject({ entered: 0 });
  }, 120_000);

  it('decrypts Olu’s share on the token, then Ben’s from his key file', async () => {
    await must('ceremony.submitShare', {
      officer: 'Olu',
      pasted: readFileSync(join(kit, 'Olu.b64'), 'utf8'),
      unlock: { kind: 'gpg', homedir: olu.homedir, pin: RIGHT_PIN },
    });
    expect((await snapshot()).progress).toMatchObject({ entered: 1 });
    await must('ceremony.submitShare', {
      officer: 'Ben',
      pasted: readFileSync(join(kit, 'Ben.b64'), 'utf8'),
      unlock: { kind: 'openpgp', privateKeyPath: file('ben.key.asc', ben.privateKeyArmored) },
    });
  }, 120_000);

  it('signs the transcript on Ada’s token after refusing a wrong PIN, and the bundle verifies', async () => {
    await playUntil('signature');
    const ownCard = { kind: 'gpg' as const, homedir: ada.homedir };
    const wrong = await call('ceremony.sign', { signer: 'Ada', key: { ...ownCard, pin: WRONG_PIN } });
    expect(wrong).toMatchObject({
      ok: false,
      error: { kind: 'signing-failed', message: expect.stringMatching(/PIN typed for Ada's card is wrong/) },
    });
    expect((await snapshot()).signatures).toEqual([]);
    // Olu's card is not Ada's: refused before any PIN reaches a card.
    const otherCard = await call('ceremony.sign', {
      signer: 'Ada',
      key: { kind: 'gpg', homedir: olu.homedir, pin: RIGHT_PIN },
    });
    expect(otherCard).toMatchObject({ ok: false, error: { kind: 'signing-failed' } });

    await must('ceremony.sign', { signer: 'Ada', key: { ...ownCard, pin: RIGHT_PIN } });
    await must('ceremony.sign', {
      signer: 'Wes',
      key: { kind: 'openpgp', privateKeyPath: file('wes.key.asc', wes.privateKeyArmored) },
    });
    const end = await snapshot();
    expect(end).toMatchObject({ step: 'finished', committed: true });
    expect(end.signatures.map((s) => [s.signer, s.fingerprint.toLowerCase()])).toEqual([
      ['Ada', ada.fingerprint],
      ['Wes', wes.fingerprint.toLowerCase()],
    ]);
    const out = join(dir, 'bundle');
    expect(await must('ceremony.export', { dir: out })).toMatchObject({ valid: true });
    expect((await verifyBundle(out)).valid).toBe(true);
    const text = await journal();
    for (const pin of [RIGHT_PIN, WRONG_PIN]) expect(text).not.toContain(pin);
    await must('ceremony.close', {});
  }, 180_000);

  it('rehearses in the app with the officers’ real public keys, Olu’s share decrypting on her card, and says so', async () => {
    await must('app.selectMode', { mode: 'rehearsal' });
    const officerKeyPaths = [file('olu.pub.asc', olu.publicKeyArmored), file('ben.pub.asc', ben.publicKeyArmored)];
    const started = (
      await must('ceremony.startRehearsal', { officers: 2, threshold: 2, vaultVersion: 1, officerKeyPaths })
    ).ceremony!;
    expect(started.plan.officers).toEqual([
      { name: 'Olu', fingerprint: olu.fingerprint, keySource: 'supplied' },
      { name: 'Ben', fingerprint: ben.fingerprint.toLowerCase(), keySource: 'supplied' },
    ]);
    await playUntil('share');
    await must('ceremony.submitShare', {
      officer: 'Olu',
      pasted: readFileSync(join(started.kitDir!, 'shares', 'Olu.b64'), 'utf8'),
      unlock: { kind: 'gpg', homedir: olu.homedir, pin: RIGHT_PIN },
    });
    expect((await snapshot()).progress).toMatchObject({ entered: 1 });
    // The record says which keys were real: the plan in the journal, which the transcript renders.
    expect(await journal()).toContain('"key_source":"supplied"');
    // Aborting is proposed by a click and authorised by the administrator's and a witness's keys.
    await must('ceremony.act', { type: 'abort', actor: 'administrator', reason: 'enough for this test' });
    for (const actor of ['administrator', 'witness-1'])
      await must('ceremony.authorise', {
        actor,
        key: { kind: 'openpgp', privateKeyPath: signingKeyIn(started.kitDir!, actor) },
      });
    // Aborted: what remains is the signing of the transcript that records it.
    expect(await snapshot()).toMatchObject({
      step: 'sign-transcript',
      input: 'signature',
      aborted: { reason: 'enough for this test', authorisedBy: ['administrator', 'witness-1'] },
    });
    expect((await must('ceremony.transcript', {})).text).toMatch(/key_source.*supplied/);
  }, 180_000);
});
