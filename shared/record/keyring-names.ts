/**
 * Whom the auditor's keyrings know a signer's key as, as `verify` and the viewer show it: the first
 * few user IDs, then how many more. A key in a keyring may carry any number: one with 2,000 made
 * the viewer's signers table 190,000 px tall, the signatures and the signed text far out of reach.
 */

/** How many of a key's user IDs are shown beside a signer before the rest are counted. */
export const USER_IDS_SHOWN = 3;

export function keyringNames(ids: readonly string[]): { readonly shown: readonly string[]; readonly more: number } {
  return { shown: ids.slice(0, USER_IDS_SHOWN), more: Math.max(0, ids.length - USER_IDS_SHOWN) };
}
