import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { fp, validPlanData } from '../../test/support/ceremony-plan-data';
import { MAX_WITNESSES, validatePlan } from './ceremony-plan';
import { parsePlan } from './plan-text';

function problem(data: unknown): string {
  const result = validatePlan(data);
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.error.message;
}

describe('parsePlan', () => {
  it('reads a YAML plan and normalises fingerprints to 40 lowercase hex digits', () => {
    const text = stringify({
      ...validPlanData(),
      administrator: { name: 'Ann', fingerprint: 'AAAA AAAA AAAA AAAA AAAA  AAAA AAAA AAAA AAAA AAAA' },
    });
    const result = parsePlan(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.administrator.fingerprint).toBe(fp('a'));
    expect(result.value.officers.map((o) => o.share_index)).toEqual([1, 2, undefined]);
  });

  it('reads the same plan written as JSON', () => {
    const result = parsePlan(JSON.stringify(validPlanData()));
    expect(result.ok && result.value.id).toBe('dr-2026-05-dc2');
  });

  it('names the field, says what is wrong and shows what it got', () => {
    const data = validPlanData();
    (data.officers as Array<Record<string, unknown>>)[2]!.fingerprint = 'abc';
    expect(problem(data)).toBe("officers[2].fingerprint must be a 40-hex-digit OpenPGP v4 fingerprint; got 'abc'");
  });

  it('lists every problem at once', () => {
    const data = { ...validPlanData(), treshold: 3, vault_version: 3 } as Record<string, unknown>;
    delete data.title;
    const message = problem(data);
    expect(message).toMatch(/^the plan has 3 problems:/);
    expect(message).toContain("- unknown field 'treshold': check the spelling");
    expect(message).toContain('- title is required');
    expect(message).toContain('- vault_version must be 1 or 2 (the Vault major version); got 3');
  });

  it('refuses invalid YAML and duplicate keys with the line', () => {
    const dup = parsePlan('id: a\nid: b\n');
    expect(dup.ok || dup.error.kind).toBe('syntax');
    expect(dup.ok || dup.error.message).toMatch(/line 2, column 1: .*unique/);
    expect(parsePlan('officers: [\n').ok).toBe(false);
  });

  it('says where a YAML error is and what kind, never quoting the plan (which may hold a pasted token)', () => {
    const token = 'hvs.CAESIJlWf3vEXAMPLEtokenQ0dKvZ';
    for (const text of [
      `id: a\ntitle: x\nnotes: [${token}\n  - b\n`,
      `id: a\ntitle: "${token}\n`,
      `{"id": "a", "title": "${token}" }}\n`,
      `id: a\n${token}: [\n`,
      `id: a\n  ${token}: b\n`,
    ]) {
      const r = parsePlan(text);
      expect(r.ok || r.error.kind, text).toBe('syntax');
      if (!r.ok) {
        expect(r.error.message, text).toMatch(/^the plan is not valid YAML at line \d+, column \d+: /);
        expect(r.error.message, text).not.toContain('CAESI');
        expect(r.error.message.split('\n'), text).toHaveLength(1);
      }
    }
  });

  it('refuses YAML aliases, so every value a reviewer reads is written out', () => {
    const text = stringify(validPlanData()).replace(/^witnesses:/m, 'witnesses: &w') + 'spare: *w\n';
    const result = parsePlan(text);
    expect(result.ok || result.error.kind).toBe('syntax');
    expect(result.ok || result.error.message).toMatch(/alias/i);
  });

  it('refuses text that is not a mapping, and oversized text', () => {
    expect(parsePlan('- a\n- b\n').ok).toBe(false);
    expect(parsePlan('just words').ok).toBe(false);
    expect(parsePlan('x'.repeat(300_000)).ok).toBe(false);
  });
});

describe('plan rules', () => {
  it('gives each person exactly one role, by name and by key', () => {
    const data = validPlanData();
    data.witnesses = [{ name: 'ann', fingerprint: fp('b') }];
    expect(problem(data)).toBe(
      "witnesses[0].name 'ann' is already the administrator ('Ann'): each person takes exactly one role",
    );
    const keys = validPlanData();
    (keys.officers as Array<Record<string, unknown>>)[1]!.fingerprint = fp('c');
    expect(problem(keys)).toBe(
      'officers[1].fingerprint repeats the key of officers[0]: each person needs their own key',
    );
  });

  it('refuses names that would look like another name: invisible, direction-changing or blank characters, double spaces, lookalike scripts mixed', () => {
    // Cyrillic а (U+0430) in a Latin name; Greek ο (U+03BF); the Braille blank U+2800.
    for (const name of [
      'Wes\u200b',
      'sew\u202eWes',
      'W\u{1d173}es',
      'Wes\ufffc',
      'Wes  Smith',
      '\u0430nn',
      'W\u03bfs',
      'Wes\u2800',
      '\u2800',
    ]) {
      const data = validPlanData();
      data.witnesses = [{ name, fingerprint: fp('b') }];
      expect(problem(data), JSON.stringify(name)).toMatch(
        /^witnesses\[0\]\.name must be visible characters only: no invisible or direction-changing ones, no blank symbol, single spaces, and no Latin, Cyrillic, Greek or Armenian letters mixed/,
      );
    }
    for (const name of ['Wes Smith-Ó Briain', 'Олег', 'Ωμέγα', '山田 太郎']) {
      const data = validPlanData();
      data.witnesses = [{ name, fingerprint: fp('b') }];
      expect(validatePlan(data).ok, name).toBe(true);
    }
  });

  it('compares names as they look: case and compatibility forms aside', () => {
    // Fullwidth ａｎｎ, mathematical bold 𝐀nn, and A with a combining ring against the composed Å.
    for (const [administrator, witness] of [
      ['Ann', '\uff41\uff4e\uff4e'],
      ['Ann', '\u{1d400}nn'],
      ['\u00c5sa', 'A\u030asa'],
    ]) {
      const data = validPlanData();
      (data.administrator as { name: string }).name = administrator!;
      data.witnesses = [{ name: witness!, fingerprint: fp('b') }];
      expect(problem(data), witness).toMatch(/^witnesses\[0\]\.name '.*' is already the administrator/);
    }
  });

  it('requires at least one witness', () => {
    expect(problem({ ...validPlanData(), witnesses: [] })).toBe('witnesses must name at least one witness; got []');
  });

  it('names at most as many witnesses as a bundle can carry signer keys for', () => {
    const witnesses = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ name: `witness-${i}`, fingerprint: `${'e'.repeat(36)}${i + 4096}` }));
    expect(validatePlan({ ...validPlanData(), witnesses: witnesses(MAX_WITNESSES) }).ok).toBe(true);
    expect(problem({ ...validPlanData(), witnesses: witnesses(MAX_WITNESSES + 1) })).toMatch(
      /^witnesses must name at most 63 witnesses: each signs the transcript/,
    );
  });

  it('keeps the threshold within the officers and requires it for quorum paths', () => {
    expect(problem({ ...validPlanData(), threshold: 4 })).toBe(
      'threshold is 4 but only 3 officers are listed: list at least as many officers as shares needed',
    );
    const none = validPlanData();
    delete none.threshold;
    expect(problem(none)).toContain('threshold is required');
    expect(problem({ ...validPlanData(), threshold: 0 })).toBe('threshold must be at least 1; got 0');
  });

  it('refuses repeated share indexes', () => {
    const data = validPlanData();
    (data.officers as Array<Record<string, unknown>>)[1]!.share_index = 1;
    expect(problem(data)).toBe('officers[1].share_index repeats share_index 1 of officers[0]');
  });

  it('says where officers’ keys came from in rehearsals only', () => {
    const data = validPlanData();
    (data.officers as Array<Record<string, unknown>>)[0]!.key_source = 'supplied';
    expect(problem(data)).toBe(
      'officers[0].key_source must be left out: only a rehearsal says where its keys came from',
    );
    const rehearsal = validatePlan({ ...data, rehearsal: true });
    expect(rehearsal.ok && rehearsal.value.officers[0]!.key_source).toBe('supplied');
    (data.officers as Array<Record<string, unknown>>)[0]!.key_source = 'real';
    expect(problem({ ...data, rehearsal: true })).toContain("must be 'supplied' or 'generated'");
  });

  it('on Vault 2 accepts quorum generation only with the break-glass setting stated', () => {
    expect(problem({ ...validPlanData(), vault_version: 2 })).toMatch(
      /^token_path 'operation-token-quorum' needs a Vault token on vault_version 2/,
    );
    expect(validatePlan({ ...validPlanData(), vault_version: 2, break_glass_unauthenticated_access: true }).ok).toBe(
      true,
    );
    expect(validatePlan({ ...validPlanData(), vault_version: 2, token_path: 'primary-root-token' }).ok).toBe(true);
  });

  it('refuses 2.x-only settings on Vault 1', () => {
    expect(problem({ ...validPlanData(), token_path: 'primary-root-token' })).toMatch(/is for vault_version 2/);
    expect(problem({ ...validPlanData(), break_glass_unauthenticated_access: true })).toMatch(
      /applies only to vault_version 2/,
    );
  });

  it('takes no shares on the batch-token path', () => {
    const batch = { ...validPlanData(), token_path: 'batch-dr-token' };
    expect(problem(batch)).toContain("officers must be empty: token_path 'batch-dr-token' uses a prepared token");
    const ok = { ...batch, officers: [] } as Record<string, unknown>;
    delete ok.threshold;
    expect(validatePlan(ok).ok).toBe(true);
  });

  it('checks addresses', () => {
    expect(problem({ ...validPlanData(), primary_cluster_addr: 'http://x:8201' })).toBe(
      "primary_cluster_addr must be an https:// address such as https://vault.example:8201; got 'http://x:8201'",
    );
  });
});

describe('peer_profiles', () => {
  it('names the other clusters asked before promoting, and is left out of a plan that names none', () => {
    const named = validatePlan({ ...validPlanData(), peer_profiles: ['dc1', 'dc3'] });
    expect(named.ok && named.value.peer_profiles).toEqual(['dc1', 'dc3']);
    const none = validatePlan(validPlanData());
    expect(none.ok && 'peer_profiles' in none.value).toBe(false);
  });

  it('refuses the cluster being promoted, a repeat, an empty list and a bad name', () => {
    expect(problem({ ...validPlanData(), peer_profiles: ['dc1', 'dc2'] })).toBe(
      "peer_profiles[1] is profile ('dc2'), the cluster being promoted: name only the other clusters of the profile set",
    );
    expect(problem({ ...validPlanData(), peer_profiles: ['dc1', 'dc1'] })).toBe(
      "peer_profiles[1] repeats 'dc1' (peer_profiles[0]): name each cluster once",
    );
    expect(problem({ ...validPlanData(), peer_profiles: [] })).toBe(
      'peer_profiles must name at least one connection profile, or be left out; got []',
    );
    expect(problem({ ...validPlanData(), peer_profiles: ['dc 1'] })).toContain(
      'peer_profiles[0] must be a connection profile name: 1 to 64 letters',
    );
  });

  it('is only for a promotion', () => {
    const data: Record<string, unknown> = {
      ...validPlanData(),
      kind: 'failback',
      profile: 'dc1',
      failback: { new_primary_profile: 'dc2', method: 'token', secondary_id: 'dc1' },
      peer_profiles: ['dc3'],
    };
    delete data.primary_cluster_addr;
    expect(problem(data)).toBe(
      "peer_profiles is only for kind 'promotion': only a promotion asks other clusters before it acts",
    );
  });
});

describe('failback plans', () => {
  function failback(extra: Record<string, unknown>): Record<string, unknown> {
    const data: Record<string, unknown> = { ...validPlanData(), kind: 'failback', profile: 'dc1', ...extra };
    delete data.primary_cluster_addr;
    return data;
  }

  it('accepts the token and the addrs methods', () => {
    expect(
      validatePlan(failback({ failback: { new_primary_profile: 'dc2', method: 'token', secondary_id: 'dc1' } })).ok,
    ).toBe(true);
    expect(
      validatePlan(
        failback({
          failback: { new_primary_profile: 'dc2', method: 'addrs', update_primary_addrs: ['10.0.0.2:8201'] },
        }),
      ).ok,
    ).toBe(true);
  });

  it('requires the failback section, and only for failbacks', () => {
    expect(problem(failback({}))).toMatch(/^failback is required for kind 'failback'/);
    expect(
      problem({ ...validPlanData(), failback: { new_primary_profile: 'dc2', method: 'token', secondary_id: 'x' } }),
    ).toBe("failback is only for kind 'failback'; remove it");
  });

  it('keeps token and update_primary_addrs apart, as Vault does', () => {
    expect(
      problem(
        failback({
          failback: { new_primary_profile: 'dc2', method: 'token', secondary_id: 'dc1', update_primary_addrs: ['a:1'] },
        }),
      ),
    ).toMatch(/update_primary_addrs is only for method 'addrs'/);
    expect(problem(failback({ failback: { new_primary_profile: 'dc2', method: 'addrs' } }))).toMatch(
      /update_primary_addrs is required/,
    );
    expect(problem(failback({ failback: { new_primary_profile: 'dc2', method: 'token' } }))).toMatch(
      /secondary_id is required/,
    );
  });

  it('refuses a new primary that is the cluster being demoted', () => {
    expect(problem(failback({ failback: { new_primary_profile: 'dc1', method: 'token', secondary_id: 'x' } }))).toMatch(
      /new_primary_profile must differ from profile/,
    );
  });
});

describe('operation plans', () => {
  const operationPlan = (operation: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...validPlanData(),
    kind: 'operation',
    token_path: 'vault-token',
    threshold: undefined,
    primary_cluster_addr: undefined,
    officers: [],
    operation,
    ...extra,
  });
  const problems = (data: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(data)) if (v === undefined) delete data[k];
    const r = validatePlan(data);
    return r.ok ? '' : r.error.message;
  };

  it('accepts a secondary-token plan authorised by the administrator’s Vault token', () => {
    expect(problems(operationPlan({ id: 'secondary-token', replication: 'dr', secondary_id: 'dc3', ttl: '30m' }))).toBe(
      '',
    );
  });

  it('names the missing and the extra fields of the operation', () => {
    expect(problems(operationPlan({ id: 'secondary-token', replication: 'dr', ttl: '30m' }))).toContain(
      "operation.secondary_id is required for operation 'secondary-token'",
    );
    expect(problems(operationPlan({ id: 'demote', replication: 'dr', secondary_id: 'dc3' }))).toContain(
      "operation.secondary_id is not used by operation 'demote'; remove it",
    );
  });

  it('matches the token path to what authorises the call', () => {
    // A DR secondary answers only to a DR operation token.
    expect(problems(operationPlan({ id: 'disable-secondary', replication: 'dr' }))).toContain(
      "token_path cannot be 'vault-token'",
    );
    expect(
      problems(
        operationPlan(
          { id: 'demote', replication: 'dr' },
          { token_path: 'operation-token-quorum', officers: undefined },
        ),
      ),
    ).toContain("token_path must be 'vault-token'");
    expect(problems({ ...validPlanData(), token_path: 'vault-token', threshold: undefined, officers: [] })).toContain(
      "'vault-token' is only for kind 'operation'",
    );
  });
});
