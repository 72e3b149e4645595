// @tier integration
/**
 * What `verify` makes of the signers' keys' lives after the ceremony (issue 12: verification
 * anchored to the people), on a real rehearsed promotion signed through GnuPG by keys GnuPG made a
 * year earlier. The keys are then aged and revoked by real gpg at chosen times (a copy of each
 * home per case), and the auditor verifies two years after the ceremony with the updated key in
 * their keyring, or in the bundle's signers/. Stock gpg's verdict on the same transcript with the
 * same keys that day is checked beside ours: where it differs, it is the fact the guide states
 * (docs/AUDITOR-GUIDE.md, "The signers' keys over time").
 *
 * The defences: electron/services/pgp/key-lifecycle.ts, and the merge of the auditor's and the
 * bundle's copies of a key in verify.ts; SECURITY.md lists the mutation that shows each case failing.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as openpgp from 'openpgp';
import { main } from '../../cli/main';
import { checkDetachedSignature } from '../../electron/services/pgp/detached-signature';
import { captureIo } from '../support/capture-io';
import {
  copyHome,
  detachSignAt,
  exportPublicKey,
  gpgCastMember,
  gpgVerifyAt,
  makeGpgKey,
  revokeKey,
  revokeSubkey,
  setExpiry,
  unsignSubkey,
  type GpgKeyHome,
  type RevocationReason,
} from '../support/gpg-key-life';
import { rehearsePromotion, type RehearsedPromotion } from '../support/rehearsed-promotion';

const DAY = 86_400_000;
const root = mkdtempSync(join(tmpdir(), 'vc-keylife-'));
const ceremony = new Date(Math.floor(Date.now() / 1000) * 1000);
const at = (days: number) => new Date(ceremony.getTime() + days * DAY);
/** When the auditor checks the bundle: two years after the ceremony. */
const audit = at(730);

let administrator: GpgKeyHome;
let witness: GpgKeyHome;
let other: GpgKeyHome;
/** The administrator's key as it stood before the ceremony, in a home of its own: aged there, not where it signs. */
let expiredBefore: GpgKeyHome;
let supersededBefore: GpgKeyHome;
let rehearsed: RehearsedPromotion;
/** Undefined once the rehearsal succeeded, else why it failed. */
let rehearsal: Promise<string | undefined>;
let copies = 0;

beforeAll(async () => {
  administrator = makeGpgKey(root, 'administrator', at(-365));
  witness = makeGpgKey(root, 'witness-1', at(-365), true);
  other = makeGpgKey(root, 'witness-2', at(-365));
  // Before the ceremony, in other copies of the administrator's home: the laptop signs with a stale copy.
  expiredBefore = copyHome(root, administrator);
  setExpiry(expiredBefore, at(-1), at(-0.5));
  supersededBefore = copyHome(root, administrator);
  revokeKey(supersededBefore, at(-1), 'superseded');
  const cast = {
    administrator: gpgCastMember('administrator', administrator),
    witnesses: [gpgCastMember('witness-1', witness), gpgCastMember('witness-2', other)],
  };
  // Held, not thrown: a rehearsal that fails fails the first test below, not the suite's setup.
  rehearsal = rehearsePromotion(root, cast).then(
    (r) => {
      rehearsed = r;
      return undefined;
    },
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
  await rehearsal;
}, 240_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

/** The administrator's key revoked with `reason` a year after the ceremony. */
function revokedLater(reason: RevocationReason): GpgKeyHome {
  const copy = copyHome(root, administrator);
  revokeKey(copy, at(365), reason);
  return copy;
}

/** The auditor's keyring: everyone's key as they had it, `updated` in place of its own. */
function keyringWith(updated: GpgKeyHome): { path: string; keys: string[] } {
  const keys = [administrator, witness, other].map((k) =>
    exportPublicKey(k.fingerprint === updated.fingerprint ? updated : k),
  );
  const path = join(root, `keyring-${++copies}.asc`);
  writeFileSync(path, keys.join(''));
  return { path, keys };
}

/** `vault-ceremony verify DIR ARGS…` run in process on `day`. */
async function verifyOn(day: Date, dir: string, args: string[]): Promise<{ code: number; output: string }> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(day);
  const { io, stdout, stderr } = captureIo();
  const code = await main(['verify', dir, ...args], io);
  vi.useRealTimers();
  return { code, output: stdout() + stderr() };
}

/** The signer file in the bundle that holds `key`. */
const signerFile = (key: GpgKeyHome) => (key.fingerprint === witness.fingerprint ? 'witness-1' : 'administrator');

/** The bundle with `key`'s signer file replaced by its updated copy, as its owner might hand it over later. */
function bundleWith(key: GpgKeyHome): string {
  const dir = join(root, `bundle-${++copies}`);
  cpSync(rehearsed.out, dir, { recursive: true });
  writeFileSync(join(dir, 'signers', `${signerFile(key)}.pub.asc`), exportPublicKey(key));
  return dir;
}

const expiredSince = () => {
  const copy = copyHome(root, administrator);
  setExpiry(copy, at(30), at(365));
  return copy;
};
const subkeyExpiredSince = () => {
  const copy = copyHome(root, witness);
  setExpiry(copy, at(30), at(365), true);
  return copy;
};
const subkeyUnsignedSince = () => {
  const copy = copyHome(root, witness);
  unsignSubkey(copy, at(30));
  return copy;
};
const subkeyCompromisedSince = () => {
  const copy = copyHome(root, witness);
  revokeSubkey(copy, at(365), 'compromised');
  return copy;
};

/** A key's life after the ceremony that leaves its signatures good: what the report must say, once for the transcript and once for the authorisation. */
const standing: Array<[string, () => GpgKeyHome, RegExp, string]> = [
  ['expired a year later', expiredSince, /the key expired on \S+, after this signature/, 'EXPKEYSIG'],
  [
    'revoked a year later as superseded',
    () => revokedLater('superseded'),
    /the key was revoked on \S+ \(superseded: .*\), after this signature/,
    'REVKEYSIG',
  ],
  [
    'revoked a year later as retired',
    () => revokedLater('retired'),
    /the key was revoked on \S+ \(retired: .*\), after this signature/,
    'REVKEYSIG',
  ],
  [
    'its signing subkey expired a year later',
    subkeyExpiredSince,
    /its signing subkey \w+ expired on \S+, after this signature/,
    'EXPKEYSIG',
  ],
];

/** A key's life that voids its signatures: the reason each BAD signature and authorisation must give. */
const voiding: Array<[string, () => GpgKeyHome, RegExp, string, number]> = [
  [
    'revoked a year later as compromised',
    () => revokedLater('compromised'),
    /the key was revoked on \S+ \(compromised: .*\): a key revoked for any reason but "superseded" or "retired" may have been compromised/,
    'REVKEYSIG',
    0,
  ],
  [
    'revoked a year later with no reason',
    () => revokedLater('no reason'),
    /the key was revoked on \S+ \(no reason given: .*\): a key revoked for any reason but/,
    'REVKEYSIG',
    0,
  ],
  [
    'its signing subkey revoked a year later as compromised',
    subkeyCompromisedSince,
    /its signing subkey \w+ was revoked on \S+ \(compromised: .*\): a key revoked for any reason but/,
    'REVKEYSIG',
    0,
  ],
  [
    'revoked as superseded the day before the ceremony',
    () => supersededBefore,
    /the key was revoked on \S+ \(superseded: .*\), before this signature was made \(\S+\): it signed after its owner stopped using it/,
    'REVKEYSIG',
    0,
  ],
  [
    'expired the night before the ceremony',
    () => expiredBefore,
    /the key expired on \S+, before this signature was made/,
    'EXPKEYSIG',
    0,
  ],
  [
    'its signing subkey made unable to sign a month later',
    subkeyUnsignedSince,
    /Could not find valid signing key packet in key \w+/,
    'ERRSIG',
    2,
  ],
];

const transcriptFiles = () =>
  [join(rehearsed.out, 'transcript.txt.sig'), join(rehearsed.out, 'transcript.txt')] as const;
const sinceLines = (output: string) => output.split('\n').filter((l) => l.trim().startsWith('since:'));
const badLines = (output: string) => output.split('\n').filter((l) => / is BAD: /.test(l));

describe("the signers' keys today", () => {
  it('sign a rehearsed promotion through GnuPG, a witness with a signing subkey of a certify-only key', async () => {
    expect(await rehearsal).toBeUndefined();
    const authorised = rehearsed.events.filter((e) => e.type === 'step-authorised').map((e) => e.actor);
    expect(authorised).toEqual(['administrator', 'witness-1']);
  });

  it('verify the bundle now and two years on, with nothing to report', async () => {
    for (const day of [ceremony, audit]) {
      const r = await verifyOn(day, rehearsed.out, ['--keyring', rehearsed.keyring]);
      expect(r.code, r.output).toBe(0);
      expect(sinceLines(r.output)).toEqual([]);
    }
  });
});

describe("a signer's key that expired or was superseded after the ceremony, checked two years on", () => {
  it.each(standing)('%s: verify exits 0 and says so, as gpg says Good signature', async (_, make, note, gpgStatus) => {
    const key = make();
    const { path, keys } = keyringWith(key);
    const r = await verifyOn(audit, rehearsed.out, ['--keyring', path]);
    expect(r.code, r.output).toBe(0);
    expect(sinceLines(r.output)).toEqual([expect.stringMatching(note), expect.stringMatching(note)]);
    // Stock gpg, that day, with the same keys: a good signature, flagged, exit 0.
    const gpg = gpgVerifyAt(root, keys, transcriptFiles(), audit);
    expect(gpg.code).toBe(0);
    expect(gpg.status).toContain(`[GNUPG:] ${gpgStatus} `);
  });

  it.each(standing)('%s, the updated key in signers/ and your keyring older: the same', async (_, make, note) => {
    const r = await verifyOn(audit, bundleWith(make()), ['--keyring', rehearsed.keyring]);
    expect(r.code, r.output).toBe(0);
    expect(sinceLines(r.output)).toEqual([expect.stringMatching(note), expect.stringMatching(note)]);
  });
});

describe("a signer's key revoked as compromised (or with no reason), or out of use before it signed", () => {
  it.each(voiding)(
    '%s: verify exits 1 naming it for the signature and the authorisation; gpg flags it',
    async (_, make, reason, gpgStatus, gpgCode) => {
      const key = make();
      const { path, keys } = keyringWith(key);
      const r = await verifyOn(audit, rehearsed.out, ['--keyring', path]);
      expect(r.code, r.output).toBe(1);
      expect(badLines(r.output)).toEqual([
        expect.stringMatching(
          new RegExp(`^  - signature \\d, by the \\w+ '${signerFile(key)}' .*is BAD: ${reason.source}`),
        ),
        expect.stringMatching(
          new RegExp(`^  - the \\w+ '${signerFile(key)}''s authorisation of "promote" .*is BAD: ${reason.source}`),
        ),
      ]);
      // Stock gpg: "Good signature" with a warning, exit 0, whatever the reason and the dates;
      // only a subkey that may no longer sign it refuses to check (exit 2).
      const gpg = gpgVerifyAt(root, keys, transcriptFiles(), audit);
      expect(gpg.code).toBe(gpgCode);
      expect(gpg.status).toContain(`[GNUPG:] ${gpgStatus} `);
    },
  );

  it.each(voiding)(
    '%s, the updated key only in signers/, your keyring older: verify still exits 1',
    async (_, make, reason) => {
      const r = await verifyOn(audit, bundleWith(make()), ['--keyring', rehearsed.keyring]);
      expect(r.code, r.output).toBe(1);
      expect(badLines(r.output)).toEqual([expect.stringMatching(reason), expect.stringMatching(reason)]);
    },
  );
});

/**
 * The witness's key, its signing subkey revoked as compromised, with that subkey listed twice: first
 * with its binding alone, then with the binding and the revocation. openpgp.js keeps the copies apart
 * and accepts a signature when any copy is valid; so does gpg 2.2.40, which imports and exports both.
 */
async function subkeyRevokedOnSecondCopy(): Promise<string> {
  const revoked = await openpgp.readKey({ armoredKey: exportPublicKey(subkeyCompromisedSince()) });
  const subkey = revoked.subkeys[0]!;
  const packets = revoked.toPacketList();
  packets.splice(packets.indexOf(subkey.keyPacket), 0, subkey.keyPacket, ...subkey.bindingSignatures);
  return new openpgp.PublicKey(packets).armor();
}

describe("a signing subkey's revocation on a second copy of the subkey in your keyring", () => {
  it('still voids the signature and the authorisation (exit 1), where gpg says Good signature, unflagged', async () => {
    const keys = [exportPublicKey(administrator), await subkeyRevokedOnSecondCopy(), exportPublicKey(other)];
    const path = join(root, `keyring-${++copies}.asc`);
    writeFileSync(path, keys.join(''));
    const r = await verifyOn(audit, rehearsed.out, ['--keyring', path]);
    expect(r.code, r.output).toBe(1);
    const reason = /its signing subkey \w+ was revoked on \S+ \(compromised: .*\): a key revoked for any reason but/;
    expect(badLines(r.output)).toEqual([expect.stringMatching(reason), expect.stringMatching(reason)]);
    const gpg = gpgVerifyAt(root, keys, transcriptFiles(), audit);
    expect(gpg.code).toBe(0);
    expect(gpg.status).not.toContain('REVKEYSIG');
  });
});

describe('a detached signature gpg made out of time, checked as an authorisation is', () => {
  const statement = 'vault-ceremony authorisation\nstep: promote\n';
  let key: GpgKeyHome;
  let publicKey: openpgp.PublicKey;
  let files = 0;

  beforeAll(async () => {
    key = copyHome(root, other);
    publicKey = await openpgp.readKey({ armoredKey: exportPublicKey(key) });
  });

  /** Our verdict on `signature` on `day`, and stock gpg's that day. */
  async function judged(signature: string, day: Date) {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(day);
    const ours = await checkDetachedSignature(signature, statement, publicKey);
    vi.useRealTimers();
    const [sig, data] = [join(root, `statement-${++files}.asc`), join(root, `statement-${files}.txt`)];
    writeFileSync(sig, signature);
    writeFileSync(data, statement);
    return { ours, gpg: gpgVerifyAt(root, [exportPublicKey(key)], [sig, data], day) };
  }

  it('dated before its key was created (gpg --ignore-time-conflict): BAD, as gpg cannot check it (ERRSIG, exit 2)', async () => {
    const { ours, gpg } = await judged(detachSignAt(key, at(-400), statement, ['--ignore-time-conflict']), ceremony);
    expect(ours.problem).toMatch(
      /^this signature is dated \S+, before the key was created \(\S+\): the signing laptop's clock was behind/,
    );
    expect(gpg.code).toBe(2);
    expect(gpg.status).toContain('[GNUPG:] ERRSIG ');
  });

  it('that expired itself (gpg --default-sig-expire): good while it lasts, BAD after, as gpg says (EXPSIG, exit 1)', async () => {
    const signature = detachSignAt(key, ceremony, statement, ['--default-sig-expire', '30d']);
    expect((await judged(signature, at(1))).ours).toEqual({ problem: undefined, since: [], created: expect.any(Date) });
    const { ours, gpg } = await judged(signature, audit);
    expect(ours.problem).toMatch(/^the signature itself expired on \S+$/);
    expect(gpg.code).toBe(1);
    expect(gpg.status).toContain('[GNUPG:] EXPSIG ');
  });
});
