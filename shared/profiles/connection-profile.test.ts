import { describe, expect, it } from 'vitest';
import {
  clusterNodeFromText,
  clusterNodeText,
  parseConnectionProfile,
  profileFromVaultEnv,
} from './connection-profile';

const env = {
  VAULT_ADDR: 'https://vault-dr.example.com:8200',
  VAULT_CACERT: '/etc/vault/ca.pem',
  VAULT_CLIENT_CERT: '/etc/vault/client.pem',
  VAULT_CLIENT_KEY: '/etc/vault/client-key.pem',
};

describe('profileFromVaultEnv', () => {
  it('maps the variables the vault CLI reads', () => {
    const result = profileFromVaultEnv(
      { ...env, VAULT_TLS_SERVER_NAME: 'vault.dc2.internal', VAULT_NAMESPACE: '/admin/', VAULT_TOKEN: 'hvs.secret' },
      'dc2',
    );
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'dc2',
        address: 'https://vault-dr.example.com:8200',
        caCertPath: '/etc/vault/ca.pem',
        clientCertPath: '/etc/vault/client.pem',
        clientKeyPath: '/etc/vault/client-key.pem',
        tlsServerName: 'vault.dc2.internal',
      },
    });
    // The token is a secret and never becomes part of a profile.
    expect(JSON.stringify(result)).not.toContain('hvs.secret');
  });

  it('names every missing variable at once', () => {
    const result = profileFromVaultEnv({ VAULT_ADDR: 'https://v:8200', VAULT_CLIENT_CERT: '' }, 'dc2');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('missing-variable');
    expect(result.error.message).toMatch(/VAULT_CACERT .*, VAULT_CLIENT_CERT .*, VAULT_CLIENT_KEY .* are not set/);
    expect(result.error.message).not.toMatch(/VAULT_ADDR/);
  });

  it('explains that a CA directory is not supported', () => {
    const { VAULT_CACERT: _, ...rest } = env;
    const result = profileFromVaultEnv({ ...rest, VAULT_CAPATH: '/etc/ssl/certs' }, 'dc2');
    expect(!result.ok && result.error.message).toMatch(/VAULT_CAPATH .* not supported/);
  });

  it('refuses VAULT_SKIP_VERIFY unless it says false', () => {
    for (const value of ['true', '1', 'T', 'yes']) {
      const result = profileFromVaultEnv({ ...env, VAULT_SKIP_VERIFY: value }, 'dc2');
      expect(!result.ok && result.error.kind).toBe('skip-verify-refused');
    }
    for (const value of ['false', '0', ''])
      expect(profileFromVaultEnv({ ...env, VAULT_SKIP_VERIFY: value }, 'dc2').ok).toBe(true);
  });

  it('refuses plain http and malformed addresses', () => {
    const http = profileFromVaultEnv({ ...env, VAULT_ADDR: 'http://vault:8200' }, 'dc2');
    expect(!http.ok && http.error).toMatchObject({
      kind: 'invalid-profile',
      message: expect.stringMatching(/https:\/\/.*plain http/),
    });
    for (const address of [
      'https://user:pw@vault:8200',
      'https://vault:8200/?x=1',
      'https://vault:99999',
      'unix:///run/vault.sock',
      'https://',
    ]) {
      expect(profileFromVaultEnv({ ...env, VAULT_ADDR: address }, 'dc2').ok, address).toBe(false);
    }
  });

  it('accepts IPv6, upper-case scheme and a path prefix, normalising them', () => {
    for (const [address, normal] of [
      ['HTTPS://[::1]:8200/', 'https://[::1]:8200'],
      ['https://vault.example.com/vault-dr', 'https://vault.example.com/vault-dr'],
    ] as const) {
      const result = profileFromVaultEnv({ ...env, VAULT_ADDR: address }, 'dc2');
      expect(result.ok && result.value.address).toBe(normal);
    }
  });

  it('resolves relative paths against the given directory, and refuses them without one', () => {
    const relative = { ...env, VAULT_CACERT: './ca.pem', VAULT_CLIENT_CERT: 'tls/client.pem' };
    const resolved = profileFromVaultEnv(relative, 'dc2', { cwd: '/home/officer/' });
    expect(resolved.ok && [resolved.value.caCertPath, resolved.value.clientCertPath]).toEqual([
      '/home/officer/ca.pem',
      '/home/officer/tls/client.pem',
    ]);
    const refused = profileFromVaultEnv(relative, 'dc2');
    expect(!refused.ok && refused.error.message).toMatch(/caCertPath: CA certificate path must be an absolute path/);
  });

  it('refuses a TLS server name that is not a host name', () => {
    const result = profileFromVaultEnv({ ...env, VAULT_TLS_SERVER_NAME: 'vault dc2' }, 'dc2');
    expect(!result.ok && result.error.message).toMatch(/tlsServerName: TLS server name must be a DNS host name/);
    const ip = profileFromVaultEnv({ ...env, VAULT_TLS_SERVER_NAME: '10.0.0.5' }, 'dc2');
    expect(!ip.ok && ip.error.message).toMatch(/not an IP address/);
  });
});

describe('parseConnectionProfile', () => {
  const profile = {
    name: 'dc2',
    address: 'https://v:8200',
    caCertPath: '/a',
    clientCertPath: '/b',
    clientKeyPath: '/c',
  };

  it('accepts a minimal profile', () => {
    expect(parseConnectionProfile(profile)).toEqual({ ok: true, value: profile });
  });

  it('refuses unknown fields, so nothing like a token or skip flag can ride along', () => {
    const result = parseConnectionProfile({ ...profile, skipVerify: true });
    expect(!result.ok && result.error.message).toMatch(/skipVerify/);
  });

  it('refuses a namespace (these endpoints live in the root namespace) and a bad name', () => {
    expect(parseConnectionProfile({ ...profile, namespace: 'admin' }).ok).toBe(false);
    expect(parseConnectionProfile({ ...profile, name: '' }).ok).toBe(false);
    expect(parseConnectionProfile(null).ok).toBe(false);
  });

  it("lists an HA cluster's nodes, each an address or an address with its own server name", () => {
    const nodes = ['https://10.0.0.1:8200/', { address: 'HTTPS://10.0.0.2:8200', tlsServerName: 'vault-2.internal' }];
    expect(parseConnectionProfile({ ...profile, nodes })).toEqual({
      ok: true,
      value: {
        ...profile,
        nodes: ['https://10.0.0.1:8200', { address: 'https://10.0.0.2:8200', tlsServerName: 'vault-2.internal' }],
      },
    });
    expect(parseConnectionProfile({ ...profile, balancer: true }).ok).toBe(true);
  });

  it('names the node at fault: plain http, a bad server name, a node listed twice, an empty list, a node that is the balancer', () => {
    const problem = (extra: object) => {
      const r = parseConnectionProfile({ ...profile, ...extra });
      return r.ok ? 'accepted' : r.error.message;
    };
    expect(problem({ nodes: ['http://10.0.0.1:8200'] })).toMatch(/nodes\.0: node address must start with https:\/\//);
    expect(problem({ nodes: [{ address: 'https://10.0.0.1:8200', tlsServerName: '10.0.0.1' }] })).toMatch(
      /nodes\.0\.tlsServerName: TLS server name must be a DNS host name, not an IP address/,
    );
    expect(problem({ nodes: ['https://a:8200', 'https://A:8200/'] })).toMatch(
      /nodes\.1: node https:\/\/a:8200 is listed twice/,
    );
    expect(problem({ nodes: [] })).toMatch(/list at least one node/);
    expect(problem({ balancer: true, nodes: ['https://v:8200', 'https://w:8200'] })).toMatch(
      /nodes\.0: .*marked as a load balancer: a balancer is not a node/,
    );
    expect(problem({ balancer: 'yes' })).toMatch(/balancer/);
  });

  it('reads and writes a node as typed: ADDR or ADDR=SERVER_NAME', () => {
    expect(clusterNodeFromText(' https://a:8200 ')).toBe('https://a:8200');
    const named = clusterNodeFromText('https://a:8200=vault-a.internal');
    expect(named).toEqual({ address: 'https://a:8200', tlsServerName: 'vault-a.internal' });
    expect(clusterNodeText(named)).toBe('https://a:8200=vault-a.internal');
  });
});
