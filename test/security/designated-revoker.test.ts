// @tier integration
/**
 * A signer's key revoked by the revoker its owner named: the owner's `gpg --edit-key … addrevoker`
 * (a direct-key signature naming the revoker's key), then the revoker's `gpg --desig-revoke`, for a
 * key whose owner can no longer revoke it (lost, or stolen with it). Stock gpg marks the key revoked
 * (REVKEYSIG); openpgp.js checks no designated revoker's signature and skips the revocation as not
 * the key's own, so `verify` judged the key unrevoked and its signatures good.
 *
 * The defence: electron/services/pgp/key-lifecycle.ts (designatedRevocation); SECURITY.md lists the
 * mutation that shows it. Checked as an authorisation is (the transcript's signatures are judged by
 * the same function).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as openpgp from 'openpgp';
import { checkDetachedSignature } from '../../electron/services/pgp/detached-signature';
import {
  copyHome,
  designateRevoker,
  detachSignAt,
  exportPublicKey,
  gpgVerifyAt,
  makeGpgKey,
  revokeAsDesignated,
  type GpgKeyHome,
} from '../support/gpg-key-life';

const DAY = 86_400_000;
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const at = (days: number) => new Date(now.getTime() + days * DAY);
const statement = 'vault-ceremony-authorisation/1\nStep: promote\n';
const root = mkdtempSync(join(tmpdir(), 'vc-desig-'));

let owner: GpgKeyHome;
let revoker: GpgKeyHome;
/** The owner's key as it stood before the revocation: the revoker named, nothing revoked. */
let designatedOnly: GpgKeyHome;
let signature: string;

beforeAll(() => {
  owner = makeGpgKey(root, 'administrator', at(-365));
  revoker = makeGpgKey(root, 'revoker', at(-365));
  designateRevoker(owner, revoker, at(-300));
  signature = detachSignAt(owner, at(-60), statement);
  designatedOnly = copyHome(root, owner);
  revokeAsDesignated(revoker, owner, at(-30), 'compromised');
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function judged(key: GpgKeyHome) {
  const ours = await checkDetachedSignature(
    signature,
    statement,
    await openpgp.readKey({ armoredKey: exportPublicKey(key) }),
  );
  const [sig, data] = [join(root, 'statement.asc'), join(root, 'statement.txt')];
  writeFileSync(sig, signature);
  writeFileSync(data, statement);
  return { ours, gpg: gpgVerifyAt(root, [exportPublicKey(key), exportPublicKey(revoker)], [sig, data], now) };
}

describe('a key its named revoker revoked (gpg --desig-revoke)', () => {
  it('voids the signature it made before, naming the revoker, as gpg flags it (REVKEYSIG)', async () => {
    const { ours, gpg } = await judged(owner);
    expect(ours.problem).toMatch(
      new RegExp(
        `^the key's owner named key ${revoker.fingerprint.toLowerCase()} to revoke it, and the key holds a revocation by that key dated \\S+ \\(compromised: .*\\)`,
      ),
    );
    expect(gpg.status).toContain('[GNUPG:] REVKEYSIG ');
  });

  it('a key that only names its revoker still signs: good, as gpg says', async () => {
    const { ours, gpg } = await judged(designatedOnly);
    expect(ours.problem).toBeUndefined();
    expect(gpg.status).toContain('[GNUPG:] GOODSIG ');
    expect(gpg.status).not.toContain('REVKEYSIG');
  });
});
