/** A valid promotion plan, as data before validatePlan, for tests that change one thing in it. Pure: shared/ tests use it too. */

/** A 40-hex-digit fingerprint made of one repeated character. */
export const fp = (c: string): string => c.repeat(40);

/** A fresh copy each call, so a test may change it in place. */
export function validPlanData(): Record<string, unknown> {
  return {
    format: 1,
    id: 'dr-2026-05-dc2',
    title: 'Promote dc2 after loss of dc1',
    kind: 'promotion',
    rehearsal: false,
    profile: 'dc2',
    vault_version: 1,
    token_path: 'operation-token-quorum',
    threshold: 2,
    primary_cluster_addr: 'https://dc2-vault.example:8201',
    administrator: { name: 'Ann', fingerprint: fp('a') },
    witnesses: [{ name: 'Wes', fingerprint: fp('b') }],
    officers: [
      { name: 'Olu', fingerprint: fp('c'), share_index: 1 },
      { name: 'Pia', fingerprint: fp('d'), share_index: 2 },
      { name: 'Quy', fingerprint: fp('e') },
    ],
  };
}
