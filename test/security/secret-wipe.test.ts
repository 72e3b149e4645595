// @tier integration
/**
 * Buffers that held secrets are zero once their use is over. The test keeps its own references to
 * the very Uint8Arrays the code used (observing the real modules, not replacing them) and checks
 * them afterwards:
 * - openpgp.js share decryption: the officer key's unlocked secret parameters and the decrypted
 *   plaintext, whatever the outcome;
 * - connectProfile: the client key's bytes once the TLS context holds its own copy;
 * - a whole rehearsal ceremony: every decrypted share as soon as it has been sent, or its try
 *   failed before it was, and every secret the service held (OTP, encoded and decoded token) once
 *   the ceremony ended; and none of them, nor the officers' passphrase, in any file it wrote or any
 *   line it logged.
 *
 * What cannot be wiped (JS strings, openpgp.js's internal intermediates such as the ECDH shared
 * secret and session key) is listed in SECURITY.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bytesToHex } from '../../shared/codecs/bytes';
import { startCeremony } from '../../electron/services/ceremony/ceremony-service';
import { playCeremony } from '../../electron/services/rehearsal/headless-driver';
import { generateSigners, rehearsalPlan } from '../../electron/services/rehearsal/rehearsal-cast';
import { connectTarget, DR_SECONDARY_PROFILE } from '../../electron/services/rehearsal/rehearsal-target';
import { SecretStore } from '../../electron/services/ceremony/secret-store';
import { generateOfficerKey, type OfficerKey } from '../../rehearsal-vault/officer-keys';
import { createOpenPgpDecryptor } from '../../electron/services/pgp/openpgp-decryptor';
import { startRehearsalVault, type RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { connectProfile } from '../../electron/services/vault/connect';
import type { VaultClient } from '../../electron/services/vault/client';
import { createTestPki, json, startTestServer } from '../support/mtls-test-server';
import { filesUnder } from '../support/files-under';
import { vaultShareFor } from '../support/vault-share';

/** References to buffers the real code used, gathered by the observing wrappers below. */
const seen = vi.hoisted(() => ({
  plaintexts: [] as Uint8Array[],
  shares: [] as Uint8Array[],
  tlsKeys: [] as Uint8Array[],
}));

vi.mock('../../electron/services/pgp/share-plaintext', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../electron/services/pgp/share-plaintext')>();
  return {
    ...real,
    shareFromPlaintext(plaintext: Uint8Array) {
      seen.plaintexts.push(plaintext);
      const result = real.shareFromPlaintext(plaintext);
      if (result.ok) seen.shares.push(result.value);
      return result;
    },
  };
});

vi.mock('../../electron/services/vault/tls-material', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../electron/services/vault/tls-material')>();
  return {
    ...real,
    async loadTlsMaterial(...args: Parameters<typeof real.loadTlsMaterial>) {
      const result = await real.loadTlsMaterial(...args);
      if (result.ok && result.value.key instanceof Uint8Array) seen.tlsKeys.push(result.value.key);
      return result;
    },
  };
});

const isZero = (b: Uint8Array) => b.length > 0 && b.every((x) => x === 0);
const PASSPHRASE = 'correct horse battery staple';

/** The secret parameter arrays of every key packet openpgp.js parsed or unlocked while `run` ran. */
async function keyParamsDuring<T>(run: () => Promise<T>): Promise<{ result: T; params: Uint8Array[] }> {
  const params: Uint8Array[] = [];
  const keep = (packet: { privateParams?: object | null }) => {
    for (const v of Object.values(packet.privateParams ?? {})) if (v instanceof Uint8Array) params.push(v);
  };
  const proto = openpgp.SecretKeyPacket.prototype as unknown as Record<
    'read' | 'decrypt',
    (...a: unknown[]) => unknown
  >;
  const { read, decrypt } = proto;
  proto.read = async function (this: never, ...a: unknown[]) {
    const r = await read.apply(this, a);
    keep(this);
    return r;
  };
  proto.decrypt = async function (this: never, ...a: unknown[]) {
    const r = await decrypt.apply(this, a);
    keep(this);
    return r;
  };
  try {
    return { result: await run(), params };
  } finally {
    Object.assign(proto, { read, decrypt });
  }
}

afterEach(() => {
  seen.plaintexts.length = 0;
  seen.shares.length = 0;
  seen.tlsKeys.length = 0;
});

describe('openpgp.js share decryption', () => {
  let officers: OfficerKey[];
  beforeAll(async () => {
    officers = await Promise.all([
      generateOfficerKey({ name: 'plain' }),
      generateOfficerKey({ name: 'protected', passphrase: PASSPHRASE }),
      generateOfficerKey({ name: 'rsa', algorithm: 'rsa3072', passphrase: PASSPHRASE }),
    ]);
  }, 120_000);

  const share = (officer: OfficerKey, bytes: Uint8Array) => vaultShareFor(officer, bytes, officers);

  it.each([
    ['curve25519, no passphrase', 0],
    ['curve25519, passphrase', 1],
    ['RSA-3072, passphrase', 2],
  ])('zeroes the unlocked key and the plaintext, handing back only the share (%s)', async (_, i) => {
    const officer = officers[i]!;
    const secret = new Uint8Array(33).map((_, j) => j + 1);
    const { message, recipient } = await share(officer, secret);
    const { result, params } = await keyParamsDuring(() =>
      createOpenPgpDecryptor({
        privateKeyArmored: officer.privateKeyArmored,
        passphrase: i === 0 ? undefined : PASSPHRASE,
      }).decrypt(message, recipient),
    );
    expect(result.ok && [...result.value]).toEqual([...secret]);
    expect(params.length).toBeGreaterThan(0);
    expect(params.filter((p) => !isZero(p))).toEqual([]);
    expect(seen.plaintexts).toHaveLength(1);
    expect(isZero(seen.plaintexts[0]!)).toBe(true);
  });

  it('zeroes them too when the plaintext is not a share', async () => {
    const officer = officers[0]!;
    const { message, recipient } = await share(officer, new Uint8Array(20).fill(9));
    const { result, params } = await keyParamsDuring(() =>
      createOpenPgpDecryptor({ privateKeyArmored: officer.privateKeyArmored }).decrypt(message, recipient),
    );
    expect(!result.ok && result.error.kind).toBe('not-a-share');
    expect(params.filter((p) => !isZero(p))).toEqual([]);
    expect(seen.plaintexts.every(isZero)).toBe(true);
  });
});

describe('connectProfile', () => {
  it("zeroes the client key's bytes once the client exists, and the client still works", async () => {
    const pki = await createTestPki();
    const dir = mkdtempSync(join(tmpdir(), 'vc-wipe-'));
    const server = await startTestServer(pki, (_, res) =>
      json(res, 200, { type: 'shamir', initialized: true, sealed: false, t: 1, n: 1, progress: 0 }),
    );
    try {
      const write = (name: string, text: string) => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };
      const connected = await connectProfile({
        name: 'dc2',
        address: server.address,
        caCertPath: write('ca.pem', pki.ca.certPem),
        clientCertPath: write('client.pem', pki.client.certPem),
        clientKeyPath: write('client-key.pem', pki.client.keyPem),
      });
      if (!connected.ok) throw new Error(connected.error.message);
      expect(seen.tlsKeys).toHaveLength(1);
      expect(isZero(seen.tlsKeys[0]!)).toBe(true);
      expect((await connected.value.sealStatus()).ok).toBe(true);
      connected.value.close();
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A rehearsal ceremony against `vault` over `clients` (filled with the target's client), journaled in `root`. */
async function rehearsalCeremony(
  vault: RehearsalVault,
  root: string,
  clients: Record<string, VaultClient>,
  log: (line: string) => void,
) {
  const target = await connectTarget({ kind: 'in-process', vault, officerPassphrase: PASSPHRASE });
  if (!target.ok) throw new Error(target.error.message);
  clients[DR_SECONDARY_PROFILE] = target.value.client;
  const cast = { ...(await generateSigners('random')), officers: target.value.officers };
  const plan = rehearsalPlan(cast, { id: 'wipe', threshold: 2, profile: DR_SECONDARY_PROFILE });
  if (!plan.ok) throw new Error(plan.error.message);
  const service = await startCeremony(plan.value, {
    journalPath: join(root, 'journal.jsonl'),
    clients,
    officerKeys: cast.officers.map((o) => ({ name: o.name, publicKeyArmored: o.publicKeyArmored })),
    log,
  });
  if (!service.ok) throw new Error(service.error.message);
  return { client: target.value.client, cast, service: service.value };
}

describe('a share entered but never sent', () => {
  it('is zero as soon as its try fails before it is taken, and the officer is asked to enter it again', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vc-wipe-abandoned-'));
    const started = await startRehearsalVault({ officers: 3, threshold: 2, passphrase: PASSPHRASE });
    if (!started.ok) throw new Error(started.error.message);
    const vault = started.value;
    try {
      const clients: Record<string, VaultClient> = {};
      const { client, cast, service } = await rehearsalCeremony(vault, root, clients, () => undefined);
      const played = await playCeremony(service, cast, {
        log: () => undefined,
        until: (s) => s.input === 'share',
      });
      if (!played.ok) throw new Error(played.error.message);

      // The connection is gone when the share is entered: it is decrypted, and its try fails before it is sent.
      delete clients[DR_SECONDARY_PROFILE];
      const officer = cast.officers[0]!;
      await service.submitShare({
        officer: officer.name,
        pasted: officer.encryptedShare,
        unlock: { kind: 'openpgp', privateKeyArmored: officer.privateKeyArmored, passphrase: PASSPHRASE },
      });
      expect(service.status().lastError?.message).toMatch(/no connection/);
      expect(service.status().input).toBe('share');
      expect(seen.shares.map(isZero)).toEqual([true]);
      await service.close();
      client.close();
    } finally {
      await vault.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a whole rehearsal ceremony', () => {
  it('zeroes each share once sent and every held secret once the ceremony ends, and writes or logs none of them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vc-wipe-ceremony-'));
    const started = await startRehearsalVault({ officers: 3, threshold: 2, passphrase: PASSPHRASE });
    if (!started.ok) throw new Error(started.error.message);
    const vault = started.value;
    const held: Array<{ name: string; text: string; bytes: Uint8Array }> = [];
    const put = SecretStore.prototype.put;
    SecretStore.prototype.put = function (this: SecretStore, name, value) {
      put.call(this, name, value);
      // Introspection of the store's own map: the very buffer it will have to wipe.
      held.push({
        name,
        text: value,
        bytes: (this as unknown as { values: Map<string, Uint8Array> }).values.get(name)!,
      });
    };
    const log: string[] = [];
    try {
      const { client, cast, service } = await rehearsalCeremony(vault, root, {}, (line) => log.push(line));

      // Share entry, one officer at a time: each share is zero as soon as the service is done with it.
      const shareHex: string[] = [];
      const played = await playCeremony(service, cast, {
        log: (line) => log.push(line),
        until: (s) => {
          // Captured when decrypted (while still whole), checked before the next person's move.
          for (const b of seen.shares.slice(shareHex.length)) shareHex.push(bytesToHex(b));
          expect(
            seen.shares.filter((b) => !isZero(b)),
            `a share outlived its submission (step ${s.step})`,
          ).toEqual([]);
          return false;
        },
      });
      if (!played.ok) throw new Error(played.error.message);
      expect(service.status().step).toBe('finished');
      await service.exportBundle(join(root, 'bundle'));
      await service.close();
      client.close();

      expect(shareHex.length).toBeGreaterThanOrEqual(2);
      expect(held.map((h) => h.name)).toEqual(expect.arrayContaining(['otp', 'encoded-token', 'operation-token']));
      expect(held.filter((h) => !isZero(h.bytes)).map((h) => h.name)).toEqual([]);
      expect(seen.plaintexts.every(isZero)).toBe(true);

      // Nothing secret on disk or in the log, in any of its usual spellings.
      const secrets = [...held.map((h) => h.text), ...shareHex, PASSPHRASE];
      const written = filesUnder(root).map((f) => readFileSync(f, 'utf8'));
      expect(written.length).toBeGreaterThanOrEqual(4);
      for (const secret of secrets) {
        expect(
          written.some((text) => text.includes(secret)),
          'a secret was written to a file',
        ).toBe(false);
        expect(
          log.some((line) => line.includes(secret)),
          'a secret was logged',
        ).toBe(false);
      }
    } finally {
      SecretStore.prototype.put = put;
      await vault.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
