import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOfficerKey, type OfficerKey } from '../../../rehearsal-vault/officer-keys';
import { readCastFile } from './cast-file';

let root: string;
let ann: OfficerKey;
let bob: OfficerKey;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vc-castfile-'));
  [ann, bob] = await Promise.all([
    generateOfficerKey({ name: 'ann', passphrase: 'ann pass' }),
    generateOfficerKey({ name: 'bob' }),
  ]);
  mkdirSync(join(root, 'keys'));
  writeFileSync(join(root, 'keys', 'ann.key.asc'), ann.privateKeyArmored);
  writeFileSync(join(root, 'keys', 'ann.pass'), 'ann pass\nnot this line\n');
  writeFileSync(join(root, 'keys', 'bob.key.asc'), bob.privateKeyArmored);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const openpgp = (who: string, passphrase: string | null) => ({
  openpgp: { private_key_file: `keys/${who}.key.asc`, passphrase_file: passphrase },
});

function cast(data: unknown, name = 'CAST.json'): string {
  const path = join(root, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
  return path;
}

describe('a cast file', () => {
  it('reads key files relative to itself, each checked to be the named key', async () => {
    const read = await readCastFile(
      cast({
        administrator: {
          name: 'ann',
          fingerprint: ann.fingerprint.toUpperCase(),
          key: openpgp('ann', 'keys/ann.pass'),
        },
        witnesses: [],
        officers: [{ name: 'bob', fingerprint: bob.fingerprint, key: openpgp('bob', null) }],
      }),
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.value.administrator).toMatchObject({
      name: 'ann',
      fingerprint: ann.fingerprint,
      passphrase: 'ann pass',
    });
    expect(read.value.administrator.publicKeyArmored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(read.value.officers[0]).toMatchObject({
      name: 'bob',
      passphrase: undefined,
      privateKeyArmored: bob.privateKeyArmored,
    });
  });

  it('refuses a key file that holds another key than the one named', async () => {
    const read = await readCastFile(
      cast({
        administrator: { name: 'ann', fingerprint: bob.fingerprint, key: openpgp('ann', null) },
        witnesses: [],
        officers: [{ name: 'bob', fingerprint: bob.fingerprint, key: openpgp('bob', null) }],
      }),
    );
    expect(!read.ok && read.error.message).toMatch(
      new RegExp(
        `holds key ${ann.fingerprint.toUpperCase()}, but the cast names ${bob.fingerprint.toUpperCase()} for ann`,
      ),
    );
  });

  it('names what is wrong with the file', async () => {
    const problem = async (data: unknown) => {
      const read = await readCastFile(cast(data));
      return read.ok ? 'accepted' : read.error.message;
    };
    expect(await problem('{"administrator":')).toMatch(/is not valid JSON/);
    expect(await problem({ administrator: {}, witnesses: [], officers: [] })).toMatch(
      /\.administrator\.name .*; .*\.administrator\.fingerprint .*officers must name at least one officer/,
    );
    const person = { name: 'bob', fingerprint: 'abc', key: { gpg: { homedir: 'h' } } };
    const message = await problem({ administrator: person, witnesses: [], officers: [person] });
    expect(message).toMatch(/\.administrator\.fingerprint must be a 40-hex-digit OpenPGP v4 fingerprint/);
    expect(message).toMatch(/\.administrator\.key must be \{"gpg"/);
    const twice = { name: 'bob', fingerprint: bob.fingerprint, key: openpgp('bob', null) };
    expect(await problem({ administrator: twice, witnesses: [], officers: [twice] })).toMatch(
      /'bob' is named twice: one person, one role/,
    );
    expect(await problem({ administrator: twice, witnesses: [], officers: [twice], extra: 1 })).toMatch(/extra/);
  });
});
