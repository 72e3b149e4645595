/**
 * ACL policies, the subset a ceremony needs: HCL `path "…" { capabilities = [...] }` blocks,
 * with Vault's `*` (prefix) and `+` (one segment) wildcards. Simplification: any matching
 * `deny` wins and otherwise any matching rule may grant; Vault instead picks the single most
 * specific matching path, which only differs when policies overlap in contradictory ways.
 */
import { err, ok, type Result } from '../shared/result';

export const CAPABILITIES = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface PolicyRule {
  readonly path: string;
  readonly capabilities: readonly Capability[];
}

export interface Policy {
  readonly name: string;
  readonly text: string;
  readonly rules: readonly PolicyRule[];
}

export type PolicyErrorKind = 'invalid-policy';

export function parsePolicy(name: string, text: string): Result<Policy, PolicyErrorKind> {
  const source = text.replace(/(^|\s)(#|\/\/).*$/gm, '$1');
  const rules: PolicyRule[] = [];
  const block = /path\s+"([^"]+)"\s*\{([^}]*)\}/g;
  for (const m of source.matchAll(block)) {
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(m[2]!);
    if (!caps) return err('invalid-policy', `failed to parse policy: path "${m[1]}" has no capabilities list`);
    const list = [...caps[1]!.matchAll(/"([^"]*)"/g)].map((c) => c[1]!);
    const unknown = list.find((c) => !(CAPABILITIES as readonly string[]).includes(c));
    if (unknown !== undefined) return err('invalid-policy', `failed to parse policy: invalid capability "${unknown}"`);
    rules.push({ path: m[1]!, capabilities: list as Capability[] });
  }
  const leftover = source.replace(block, '').trim();
  if (rules.length === 0 || leftover !== '') {
    return err(
      'invalid-policy',
      'failed to parse policy: expected one or more path "…" { capabilities = [ … ] } blocks',
    );
  }
  return ok({ name, text, rules });
}

/** Whether the policies grant `capability` on `path` (no leading slash, no "v1/"). */
export function policiesAllow(policies: readonly Policy[], path: string, capability: Capability): boolean {
  const matching = policies.flatMap((p) => p.rules).filter((r) => pathMatches(r.path, path));
  if (matching.some((r) => r.capabilities.includes('deny'))) return false;
  return matching.some((r) => r.capabilities.includes(capability));
}

function pathMatches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const patternParts = (glob ? pattern.slice(0, -1) : pattern).split('/');
  const pathParts = path.split('/');
  for (let i = 0; i < patternParts.length; i++) {
    const want = patternParts[i]!;
    const have = pathParts[i];
    if (have === undefined) return false;
    const last = i === patternParts.length - 1;
    if (want === '+') continue;
    if (last && glob ? !have.startsWith(want) : have !== want) return false;
  }
  return glob || pathParts.length === patternParts.length;
}
