// @tier integration
/**
 * The legacy (pre-0.11) and 26-character rehearsals, end to end: `vault-ceremony rehearse
 * --otp-length 0|26` promotes and its bundle verifies, and the ceremony reads each server's
 * otp_length (absent on the legacy server), makes the matching OTP, and decodes the token the
 * rehearsal Vault encodes to a UUID, or to an `s.` token of 26 characters.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rehearseCommand } from '../cli/commands/rehearse';
import { runRehearsal } from '../electron/services/rehearsal/headless-rehearsal';
import { rehearsalPassphrase } from '../electron/services/rehearsal/rehearsal-cast';
import type { OtpLength } from '../rehearsal-vault/token-store';
import { captureIo } from './support/capture-io';
import { newWire, observing, type Wire } from './support/wire-observer';

const root = mkdtempSync(join(tmpdir(), 'vc-otp-lengths-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function observedRehearsal(otpLength: OtpLength): Promise<Wire> {
  const wire = newWire();
  const r = await runRehearsal({
    out: join(root, `observed-${otpLength}`),
    // What `rehearse --officers 3 --threshold 2 --otp-length N` asks for.
    target: {
      kind: 'start',
      options: { officers: 3, threshold: 2, vaultVersion: 1, otpLength, passphrase: rehearsalPassphrase() },
    },
    log: () => undefined,
    observeClient: (c) => observing(c, wire),
  });
  if (!r.ok) throw new Error(r.error.message);
  expect(r.value.committed).toBe(true);
  return wire;
}

/** The facts of the service result the journal recorded for `kind`. */
function journalFacts(out: string, kind: string): unknown {
  const events = readFileSync(join(out, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; details: { event?: { facts?: { kind?: string } } } });
  return events.find((e) => e.type === 'service-result' && e.details.event?.facts?.kind === kind)?.details.event?.facts;
}

describe.each([
  { otpLength: 0 as const, otp: /^[A-Za-z0-9+/]{22}==$/, token: /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/ },
  { otpLength: 26 as const, otp: /^[A-Za-z0-9]{26}$/, token: /^s\.[A-Za-z0-9]{24}$/ },
])('vault-ceremony rehearse --otp-length $otpLength', ({ otpLength, otp, token }) => {
  it('promotes and writes a bundle that verifies', async () => {
    const out = join(root, `cli-${otpLength}`);
    const { io, stdout, stderr } = captureIo();
    const code = await rehearseCommand(
      ['--out', out, '--officers', '3', '--threshold', '2', '--otp-length', String(otpLength)],
      io,
    );
    expect(stderr()).toBe('');
    expect(code).toBe(0);
    expect(stdout()).toMatch(/DR secondary promoted: yes\nbundle verified: yes/);
    const legacy = otpLength === 0;
    expect(stdout()).toContain(
      `A ${legacy ? 24 : 26}-character one-time password was generated${legacy ? ' (legacy form)' : ''}.`,
    );
    expect(journalFacts(out, 'generate-otp')).toMatchObject({ legacy, otpLength: legacy ? 24 : 26 });
    expect(journalFacts(out, 'decode-token')).toEqual({ kind: 'decode-token', tokenLength: legacy ? 36 : 26 });
  });

  it("makes the OTP the server's otp_length calls for and decodes the token it encoded", async () => {
    const wire = await observedRehearsal(otpLength);
    // The legacy server sends no otp_length at all; the client reads its absence as 0.
    expect(new Set(wire.otpLengths)).toEqual(new Set([otpLength]));
    expect(wire.otps).toHaveLength(1);
    expect(wire.otps[0]).toMatch(otp);
    expect(wire.encoded[0]).toMatch(otpLength === 0 ? /^[A-Za-z0-9+/]{22}==$/ : /^[A-Za-z0-9+/]{35}$/);
    expect(wire.promoted).toHaveLength(1);
    expect(wire.promoted[0]).toMatch(token);
  });
});
