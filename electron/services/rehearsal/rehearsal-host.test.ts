// @tier integration
/**
 * The app's rehearsal Vault host: a restart brings a fresh Vault with the chosen officers; a
 * restart that cannot start leaves the next use with the default one instead of a dead end;
 * a client can carry a token (the rehearsal root token works where Vault wants one).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRehearsalHost } from './rehearsal-host';

const host = createRehearsalHost();
afterAll(() => host.close());

describe('rehearsal host', () => {
  it('restarts with chosen officers, and falls back to the default after options that cannot start', async () => {
    const first = await host.restart({ officers: 2, threshold: 2 });
    expect(first.ok && first.value.officers.map((o) => o.name)).toEqual(['officer-1', 'officer-2']);

    const refused = await host.restart({ officers: 2, threshold: 3 });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid-options' } });
    const targets = await host.clusters();
    expect(targets.ok && targets.value.map((t) => t.cluster)).toEqual(['dr-secondary', 'primary']);
    const running = await host.vault();
    expect(running.ok && running.value.officers.length).toBe(5);
  });

  it('connects with a token only when given one', async () => {
    const running = await host.vault();
    if (!running.ok) throw new Error(running.error.message);
    const anonymous = await host.connect('primary');
    const withRoot = await host.connect('primary', running.value.rootToken);
    if (!anonymous.ok || !withRoot.ok) throw new Error('connect failed');
    try {
      const denied = await anonymous.value.dr.primary.secondaryToken({ id: 'x', ttl: '5m' });
      expect(denied).toMatchObject({ ok: false, error: { kind: 'vault-error' } });
      const allowed = await withRoot.value.dr.primary.secondaryToken({ id: 'x', ttl: '5m' });
      expect(allowed.ok).toBe(true);
    } finally {
      anonymous.value.close();
      withRoot.value.close();
    }
  });
});
