/**
 * Tokens and policies, as much as a ceremony uses: token roles and role-based creation (the
 * batch DR operation token is `auth/token/create/<role>` on a `token_type=batch` role),
 * lookup-self, revocation, and ACL policies under sys/policy and sys/policies/acl.
 */
import { parsePolicy } from '../policy';
import type { TokenEntry, TokenRole } from '../token-store';
import { logical, noContent, vaultError, type ApiResponse } from './envelope';
import { allFields } from './request-body';
import type { LogicalContext, LogicalRoute } from './route';

/** Vault's default and maximum token TTL (768h) when neither request nor role sets one. */
const DEFAULT_TTL = 768 * 3600;
const TOKEN_TYPES = ['service', 'batch', 'default-service', 'default-batch'] as const;

export const tokenRoutes: readonly LogicalRoute[] = [
  tokenRoute(/^auth\/token\/create$/, { update: (ctx) => create(ctx, undefined) }),
  tokenRoute(/^auth\/token\/create\/([^/]+)$/, { update: (ctx) => create(ctx, ctx.params[0]) }),
  tokenRoute(/^auth\/token\/roles\/([^/]+)$/, { read: readRole, update: writeRole }),
  tokenRoute(/^auth\/token\/lookup-self$/, {
    read: ({ caller }) => logical({ data: describe(caller!), mountType: 'token' }),
  }),
  tokenRoute(/^auth\/token\/revoke-self$/, { update: ({ cluster, caller }) => revoke(cluster, caller!.id) }),
  tokenRoute(/^auth\/token\/revoke$/, {
    update: ({ cluster, fields }) => {
      const t = fields.string('token');
      return t.ok ? revoke(cluster, t.value) : vaultError(400, t.error.message);
    },
  }),
  policyRoute(/^sys\/policy\/([^/]+)$/, 'rules'),
  policyRoute(/^sys\/policies\/acl\/([^/]+)$/, 'policy'),
];

function tokenRoute(pattern: RegExp, operations: LogicalRoute['operations']): LogicalRoute {
  return { kind: 'logical', pattern, onDrSecondary: false, auth: 'token', operations };
}

function create(ctx: LogicalContext, roleName: string | undefined): ApiResponse {
  const { cluster, fields } = ctx;
  const role = roleName === undefined ? undefined : cluster.storage.tokens.role(roleName);
  if (roleName !== undefined && !role) return vaultError(400, `unknown role ${roleName}`);
  const read = allFields({
    requested: fields.strings('policies'),
    ttl: fields.durationSeconds('ttl', role?.ttl || DEFAULT_TTL),
    type: fields.string('type', 'service'),
    renewable: fields.bool('renewable', role?.renewable ?? true),
    noParent: fields.bool('no_parent', false),
    displayName: fields.string('display_name', 'token'),
  });
  if (!read.ok) return vaultError(400, read.error.message);
  const { requested, ttl, type, renewable, noParent, displayName } = read.value;

  let policies = requested ?? role?.allowedPolicies ?? ctx.caller!.policies;
  if (role && requested) {
    const outside = requested.filter((p) => !role.allowedPolicies.includes(p));
    if (outside.length > 0) {
      return vaultError(
        400,
        `token policies (${JSON.stringify(requested)}) must be subset of the role's allowed policies (${JSON.stringify(role.allowedPolicies)})`,
      );
    }
  }
  policies = [...new Set(policies)].sort();
  const batch = role
    ? role.tokenType === 'batch' || (role.tokenType === 'default-batch' && type !== 'service')
    : type === 'batch';
  const orphan = role?.orphan ?? noParent;
  const path = roleName === undefined ? 'auth/token/create' : `auth/token/create/${roleName}`;
  const entry = batch
    ? cluster.storage.tokens.createBatch({ policies, ttl: ttl, orphan, path, displayName: `token-${displayName}` })
    : cluster.storage.tokens.createService({
        policies,
        ttl: ttl,
        orphan,
        renewable: renewable,
        path,
        displayName: `token-${displayName}`,
      });
  if (!batch) cluster.recordWrite();
  return logical({
    auth: {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata: null,
      lease_duration: entry.ttl,
      renewable: entry.renewable,
      entity_id: '',
      token_type: entry.type,
      orphan: entry.orphan,
      mfa_requirement: null,
      num_uses: 0,
    },
    mountType: 'token',
  });
}

function readRole({ cluster, params }: LogicalContext): ApiResponse {
  const role = cluster.storage.tokens.role(params[0]!);
  if (!role) return { status: 404, body: { errors: [] } };
  return logical({
    data: {
      name: role.name,
      allowed_policies: role.allowedPolicies,
      orphan: role.orphan,
      renewable: role.renewable,
      token_type: role.tokenType,
      token_ttl: role.ttl,
    },
    mountType: 'token',
  });
}

function writeRole({ cluster, params, fields }: LogicalContext): ApiResponse {
  const read = allFields({
    allowed: fields.strings('allowed_policies'),
    orphan: fields.bool('orphan', false),
    renewable: fields.bool('renewable', true),
    tokenType: fields.string('token_type', 'default-service'),
    ttl: fields.durationSeconds(fields.has('token_ttl') ? 'token_ttl' : 'ttl', 0),
  });
  if (!read.ok) return vaultError(400, read.error.message);
  const { allowed, orphan, renewable, tokenType, ttl } = read.value;
  if (!(TOKEN_TYPES as readonly string[]).includes(tokenType))
    return vaultError(400, `invalid 'token_type' value "${tokenType}"`);
  if (tokenType === 'batch' && renewable) return vaultError(400, 'batch tokens cannot be renewable');
  const role: TokenRole = {
    name: params[0]!,
    allowedPolicies: allowed ?? [],
    orphan: orphan,
    renewable: renewable,
    tokenType: tokenType as TokenRole['tokenType'],
    ttl: ttl,
  };
  cluster.storage.tokens.setRole(role);
  cluster.recordWrite();
  return noContent();
}

function describe(entry: TokenEntry): Record<string, unknown> {
  const issued = new Date(entry.issuedAt);
  return {
    accessor: entry.accessor,
    creation_time: Math.floor(entry.issuedAt / 1000),
    creation_ttl: entry.ttl,
    display_name: entry.displayName,
    entity_id: '',
    expire_time: entry.ttl ? new Date(entry.issuedAt + entry.ttl * 1000).toISOString() : null,
    explicit_max_ttl: 0,
    id: entry.id,
    issue_time: issued.toISOString(),
    meta: null,
    num_uses: 0,
    orphan: entry.orphan,
    path: entry.path,
    policies: entry.policies,
    renewable: entry.renewable,
    ttl: entry.ttl ? Math.max(0, Math.floor((entry.issuedAt + entry.ttl * 1000 - Date.now()) / 1000)) : 0,
    type: entry.type,
  };
}

function revoke(cluster: LogicalContext['cluster'], token: string): ApiResponse {
  if (token.startsWith('hvb.') || token.startsWith('b.')) return vaultError(400, 'batch tokens cannot be revoked');
  if (cluster.storage.tokens.revoke(token)) cluster.recordWrite();
  return noContent();
}

function policyRoute(pattern: RegExp, textField: 'rules' | 'policy'): LogicalRoute {
  return {
    kind: 'logical',
    pattern,
    onDrSecondary: false,
    auth: 'token',
    operations: {
      read: ({ cluster, params }) => {
        const name = params[0]!.toLowerCase();
        if (name === 'root') return logical({ data: { name, [textField]: '' } });
        const p = cluster.storage.policies.get(name);
        return p ? logical({ data: { name, [textField]: p.text } }) : { status: 404, body: { errors: [] } };
      },
      update: ({ cluster, params, fields }) => {
        const name = params[0]!.toLowerCase();
        if (name === 'root') return vaultError(400, 'cannot update "root" policy');
        const text = fields.string(fields.has('policy') ? 'policy' : 'rules');
        if (!text.ok) return vaultError(400, text.error.message);
        if (text.value === '') return vaultError(400, "'policy' parameter not supplied or empty");
        const parsed = parsePolicy(name, text.value);
        if (!parsed.ok) return vaultError(400, parsed.error.message);
        cluster.storage.policies.set(name, parsed.value);
        cluster.recordWrite();
        return noContent();
      },
      delete: ({ cluster, params }) => {
        const name = params[0]!.toLowerCase();
        if (name === 'root' || name === 'default') return vaultError(400, `cannot delete "${name}" policy`);
        if (cluster.storage.policies.delete(name)) cluster.recordWrite();
        return noContent();
      },
    },
  };
}
