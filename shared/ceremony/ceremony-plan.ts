/**
 * The ceremony plan: one YAML (or JSON) file that witnesses review before the ceremony and
 * that the state machine then enforces (who takes part, in which role, with which keys, and
 * which way the DR operation token is obtained).
 *
 * File keys are snake_case, as in Vault's own API, and the parsed type mirrors them exactly,
 * so a field named in an error, the file, the transcript and the code is the same word.
 *
 * ```yaml
 * format: 1
 * id: dr-2026-05-dc2
 * title: Promote dc2 after loss of dc1
 * kind: promotion                 # or failback, or operation (one replication operation)
 * rehearsal: false
 * profile: dc2                    # connection profile of the cluster the ceremony acts on
 * vault_version: 1                # 1 or 2
 * token_path: operation-token-quorum   # or batch-dr-token, primary-root-token (2 only), vault-token
 * threshold: 3
 * primary_cluster_addr: https://dc2-vault.example:8201   # optional, promotion only
 * peer_profiles: [dc1]           # optional, promotion only: clusters asked before promoting
 * administrator: { name: Ann, fingerprint: "0123 4567 …" }
 * witnesses:     [ { name: Wes, fingerprint: … } ]
 * officers:      [ { name: Olu, fingerprint: …, share_index: 1 }, … ]
 * ```
 *
 * An `operation` plan runs one call of shared/replication/replication-operations.ts as a ceremony:
 *
 * ```yaml
 * kind: operation
 * token_path: vault-token         # the calls a Vault token authorises; a DR secondary's take a DR operation token path
 * operation: { id: secondary-token, replication: dr, secondary_id: dc1, ttl: 30m }
 * ```
 *
 * Decisions (each enforced below, each with an error that says what to change):
 * - One person, one role: names and key fingerprints are unique across the administrator,
 *   witnesses and officers. A witness who also enters a share or runs the laptop is not an
 *   independent witness, and two shares encrypted to one key defeat the threshold.
 * - Vault 2.x requires a Vault token for generate-operation-token. With quorum generation the
 *   plan must therefore use `primary-root-token` (the primary's root token, entered before the
 *   attempt) or `batch-dr-token`. The only way to keep `operation-token-quorum` on 2.x is the
 *   break-glass server setting `enable_unauthenticated_access = ["generate-operation-token"]`,
 *   which the plan must state with `break_glass_unauthenticated_access: true`, so reviewers
 *   see it. On 1.x the flag and `primary-root-token` are refused: they would mean nothing.
 * - `batch-dr-token` uses no shares, so a plan on that path lists no officers and no threshold;
 *   nor does `vault-token`, which only an operation authorised by a Vault token may use (the
 *   administrator enters their own token, with sudo, at the ceremony).
 * - `peer_profiles` names the other clusters of the profile set (by connection profile) that the
 *   laptop asks, right before promoting, whether they still report DR primary: one that does stops
 *   the promotion (two primaries) unless a witnessed deviation accepts it. The plan names them, not
 *   the laptop or the record, so reviewers see which clusters are asked and `verify` demands each
 *   read. Left out, no cluster is asked.
 * - Fingerprints may be written in gpg's spaced groups; they are stored as 40 lowercase hex
 *   digits (the form Vault and openpgp.js print), so compare them case-insensitively anyway.
 *
 * The file's text is read by ./plan-text.ts; this module validates data.
 */
import * as z from 'zod';
import { HIDDEN_ANY } from '../record/visible-text';
import { err, ok, type Result } from '../result';
import {
  operationAuth,
  planOperationSchema,
  type OperationId,
  type PlanOperation,
} from '../replication/replication-operations';

export type PlanErrorKind = 'syntax' | 'invalid';

export const TOKEN_PATHS = ['operation-token-quorum', 'batch-dr-token', 'primary-root-token', 'vault-token'] as const;
export type TokenPath = (typeof TOKEN_PATHS)[number];

const FINGERPRINT = /^(?:\s*[0-9A-Fa-f]){40}\s*$/;
const NAME = /^[^\p{Cc}]{1,100}$/u;
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HTTPS_ADDR = /^https:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?\/?$|^https:\/\/\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?\/?$/;
const CLUSTER_ADDR = /^\S{1,255}$/;

/**
 * Scripts whose letters pass for one another's (Cyrillic а for Latin a, Greek ο for o): a name
 * mixing them can look exactly like another person's.
 */
const LOOKALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u, /\p{Script=Armenian}/u];
/** A symbol drawn as nothing, though neither a space nor invisible to the output filter. */
const BLANK_SYMBOL = '\u2800';

/**
 * A person's name is shown on every screen, read aloud and printed in the transcript: so it holds
 * only what a reader sees (no control, invisible, direction-changing or private-use characters,
 * which the one output filter, shared/record/visible-text.ts, would show as escapes, nor a blank
 * symbol), single spaces, and letters of one of the scripts that look alike, so two names do not
 * look alike and differ (nameKey compares them). The plan's people and a substitute alike.
 */
export function isVisibleName(text: string): boolean {
  return (
    NAME.test(text) &&
    !HIDDEN_ANY.test(text) &&
    !text.includes(BLANK_SYMBOL) &&
    !/\s\s/.test(text) &&
    LOOKALIKE_SCRIPTS.filter((script) => script.test(text)).length <= 1
  );
}

/** A name as two names are compared: case and compatibility forms (fullwidth ａ, a composed é) aside. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

const name = z
  .string({ error: 'must be text' })
  .trim()
  .regex(NAME, { error: 'must be 1 to 100 characters without control characters' })
  .refine(isVisibleName, {
    error:
      'must be visible characters only: no invisible or direction-changing ones, no blank symbol, single spaces, and no Latin, Cyrillic, Greek or Armenian letters mixed',
  });

const fingerprint = z
  .string({ error: 'must be a 40-hex-digit OpenPGP v4 fingerprint' })
  .regex(FINGERPRINT, { error: 'must be a 40-hex-digit OpenPGP v4 fingerprint' })
  .transform((text) => text.replace(/\s+/g, '').toLowerCase());

const identifier = (what: string) =>
  z.string({ error: `must be ${what}` }).regex(IDENTIFIER, {
    error: `must be ${what}: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
  });

const httpsAddr = z
  .string({ error: 'must be an https:// address' })
  .regex(HTTPS_ADDR, { error: 'must be an https:// address such as https://vault.example:8201' });

const person = z.strictObject({ name, fingerprint });

const officer = z.strictObject({
  name,
  fingerprint,
  share_index: z
    .number({ error: 'must be a whole number from 1 to 255' })
    .int({ error: 'must be a whole number from 1 to 255' })
    .min(1, { error: 'must be a whole number from 1 to 255' })
    .max(255, { error: 'must be a whole number from 1 to 255' })
    .optional(),
  /**
   * Rehearsals only: whether the officer's key is their real one ('supplied', e.g. on their card),
   * so the rehearsal exercises the key of the real night, or one 'generated' for the rehearsal.
   */
  key_source: z.enum(['supplied', 'generated'], { error: "must be 'supplied' or 'generated'" }).optional(),
});

const failback = z.strictObject({
  new_primary_profile: identifier('a connection profile name'),
  method: z.enum(['token', 'addrs'], {
    error: "must be 'token' (secondary activation token) or 'addrs' (update_primary_addrs)",
  }),
  secondary_id: identifier('a secondary id').optional(),
  primary_api_addr: httpsAddr.optional(),
  update_primary_addrs: z
    .array(
      z
        .string({ error: 'must be a cluster address' })
        .regex(CLUSTER_ADDR, { error: 'must be a cluster address without spaces' }),
      {
        error: 'must be a list of cluster addresses',
      },
    )
    .min(1, { error: 'must list at least one cluster address' })
    .optional(),
});

export { planOperationSchema, type PlanOperation };
type OperationField = Exclude<keyof PlanOperation, 'id' | 'replication'>;

/** Which fields each operation takes, and which of them it cannot do without. */
const OPERATION_FIELDS: Record<
  OperationId,
  { readonly required: OperationField[]; readonly optional: OperationField[] }
> = {
  'enable-primary': { required: [], optional: ['primary_cluster_addr'] },
  'secondary-token': { required: ['secondary_id', 'ttl'], optional: [] },
  'revoke-secondary': { required: ['secondary_id'], optional: [] },
  demote: { required: [], optional: [] },
  'disable-primary': { required: [], optional: [] },
  'enable-secondary': { required: [], optional: ['primary_api_addr', 'ca_file'] },
  'update-primary': { required: ['method'], optional: ['primary_api_addr', 'update_primary_addrs'] },
  'disable-secondary': { required: [], optional: [] },
};

/**
 * A plan's administrator and witnesses sign the transcript, and its bundle carries one public key
 * file for each: `verify` reads at most 64 (electron/services/transcript/bundle-layout.ts), so a
 * plan naming more could never produce a bundle that verifies.
 */
export const MAX_WITNESSES = 63;

const planSchema = z
  .strictObject({
    format: z.literal(1, { error: 'must be 1 (the only plan format this version reads)' }),
    id: identifier('a plan id'),
    title: z
      .string({ error: 'must be text' })
      .trim()
      .regex(/^[^\p{Cc}]{1,200}$/u, {
        error: 'must be 1 to 200 characters without control characters',
      }),
    kind: z.enum(['promotion', 'failback', 'operation'], { error: "must be 'promotion', 'failback' or 'operation'" }),
    rehearsal: z.boolean({ error: 'must be true or false' }),
    profile: identifier('a connection profile name'),
    vault_version: z.union([z.literal(1), z.literal(2)], { error: 'must be 1 or 2 (the Vault major version)' }),
    token_path: z.enum(TOKEN_PATHS, { error: `must be one of ${TOKEN_PATHS.map((p) => `'${p}'`).join(', ')}` }),
    break_glass_unauthenticated_access: z.boolean({ error: 'must be true or false' }).optional(),
    threshold: z
      .number({ error: 'must be a whole number of shares' })
      .int({ error: 'must be a whole number of shares' })
      .min(1, { error: 'must be at least 1' })
      .optional(),
    primary_cluster_addr: httpsAddr.optional(),
    peer_profiles: z
      .array(identifier('a connection profile name'), { error: 'must be a list of connection profile names' })
      .min(1, { error: 'must name at least one connection profile, or be left out' })
      .optional(),
    administrator: person,
    witnesses: z
      .array(person, { error: 'must be a list of witnesses' })
      .min(1, { error: 'must name at least one witness' })
      .max(MAX_WITNESSES, { error: `must name at most ${MAX_WITNESSES} witnesses: each signs the transcript` }),
    officers: z.array(officer, { error: 'must be a list of officers' }).default([]),
    failback: failback.optional(),
    operation: planOperationSchema.optional(),
  })
  .superRefine((plan, ctx) => {
    const fail = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });

    // One person, one role: separation of duties is the point of a ceremony.
    const people = [
      { path: ['administrator'], role: 'the administrator', ...plan.administrator },
      ...plan.witnesses.map((w, i) => ({ path: ['witnesses', i], role: `witnesses[${i}]`, ...w })),
      ...plan.officers.map((o, i) => ({ path: ['officers', i], role: `officers[${i}]`, ...o })),
    ];
    const seenNames = new Map<string, { role: string; name: string }>();
    const seenKeys = new Map<string, string>();
    for (const p of people) {
      const byName = seenNames.get(nameKey(p.name));
      if (byName)
        fail(
          [...p.path, 'name'],
          `'${p.name}' is already ${byName.role} ('${byName.name}'): each person takes exactly one role`,
        );
      else seenNames.set(nameKey(p.name), { role: p.role, name: p.name });
      const byKey = seenKeys.get(p.fingerprint);
      if (byKey) fail([...p.path, 'fingerprint'], `repeats the key of ${byKey}: each person needs their own key`);
      else seenKeys.set(p.fingerprint, p.role);
    }
    const indexes = new Map<number, number>();
    plan.officers.forEach((o, i) => {
      if (o.key_source !== undefined && !plan.rehearsal)
        fail(['officers', i, 'key_source'], 'must be left out: only a rehearsal says where its keys came from');
      if (o.share_index === undefined) return;
      const other = indexes.get(o.share_index);
      if (other !== undefined)
        fail(['officers', i, 'share_index'], `repeats share_index ${o.share_index} of officers[${other}]`);
      else indexes.set(o.share_index, i);
    });

    if (plan.token_path === 'batch-dr-token' || plan.token_path === 'vault-token') {
      const what = plan.token_path === 'batch-dr-token' ? 'a prepared token' : "the administrator's Vault token";
      if (plan.officers.length > 0)
        fail(['officers'], `must be empty: token_path '${plan.token_path}' uses ${what}, not shares`);
      if (plan.threshold !== undefined)
        fail(['threshold'], `must be left out: token_path '${plan.token_path}' uses no shares`);
    } else {
      if (plan.officers.length === 0)
        fail(['officers'], `must list the officers who hold shares (token_path '${plan.token_path}')`);
      if (plan.threshold === undefined)
        fail(['threshold'], `is required: how many shares Vault needs (token_path '${plan.token_path}')`);
      else if (plan.threshold > plan.officers.length)
        fail(
          ['threshold'],
          `is ${plan.threshold} but only ${plan.officers.length} officers are listed: list at least as many officers as shares needed`,
        );
    }

    if (plan.vault_version === 1) {
      if (plan.token_path === 'primary-root-token')
        fail(
          ['token_path'],
          "'primary-root-token' is for vault_version 2; Vault 1.x generates DR operation tokens without a Vault token",
        );
      if (plan.break_glass_unauthenticated_access !== undefined)
        fail(['break_glass_unauthenticated_access'], 'applies only to vault_version 2; remove it');
    } else if (plan.token_path === 'operation-token-quorum' && plan.break_glass_unauthenticated_access !== true) {
      fail(
        ['token_path'],
        "'operation-token-quorum' needs a Vault token on vault_version 2: use 'primary-root-token' or 'batch-dr-token', " +
          'or, only if the DR secondary sets enable_unauthenticated_access = ["generate-operation-token"], ' +
          'say so with break_glass_unauthenticated_access: true',
      );
    } else if (plan.token_path !== 'operation-token-quorum' && plan.break_glass_unauthenticated_access !== undefined) {
      fail(['break_glass_unauthenticated_access'], "applies only to token_path 'operation-token-quorum'; remove it");
    }

    const peers = plan.peer_profiles ?? [];
    if (plan.kind !== 'promotion' && plan.peer_profiles !== undefined)
      fail(['peer_profiles'], `is only for kind 'promotion': only a promotion asks other clusters before it acts`);
    peers.forEach((peer, i) => {
      if (peer === plan.profile)
        fail(
          ['peer_profiles', i],
          `is profile ('${plan.profile}'), the cluster being promoted: name only the other clusters of the profile set`,
        );
      else if (peers.indexOf(peer) !== i)
        fail(['peer_profiles', i], `repeats '${peer}' (peer_profiles[${peers.indexOf(peer)}]): name each cluster once`);
    });

    if (plan.kind !== 'operation' && plan.operation !== undefined)
      fail(['operation'], "is only for kind 'operation'; remove it");
    if (plan.kind !== 'operation' && plan.token_path === 'vault-token')
      fail(['token_path'], `'vault-token' is only for kind 'operation'; a ${plan.kind} needs a DR operation token`);
    if (plan.kind === 'operation') return checkOperation(plan, fail);
    if (plan.kind === 'promotion') {
      if (plan.failback !== undefined) fail(['failback'], "is only for kind 'failback'; remove it");
      return;
    }
    if (plan.primary_cluster_addr !== undefined)
      fail(['primary_cluster_addr'], "is only for kind 'promotion'; remove it");
    const fb = plan.failback;
    if (fb === undefined) {
      fail(['failback'], "is required for kind 'failback': new_primary_profile and method");
      return;
    }
    if (fb.new_primary_profile === plan.profile)
      fail(
        ['failback', 'new_primary_profile'],
        `must differ from profile ('${plan.profile}', the cluster being demoted)`,
      );
    if (fb.method === 'token') {
      if (fb.secondary_id === undefined)
        fail(
          ['failback', 'secondary_id'],
          "is required with method 'token': the id the new primary gives this secondary",
        );
      if (fb.update_primary_addrs !== undefined)
        fail(
          ['failback', 'update_primary_addrs'],
          "is only for method 'addrs'; Vault refuses it together with a token",
        );
    } else {
      if (fb.update_primary_addrs === undefined)
        fail(['failback', 'update_primary_addrs'], "is required with method 'addrs'");
      if (fb.secondary_id !== undefined) fail(['failback', 'secondary_id'], "is only for method 'token'; remove it");
      if (fb.primary_api_addr !== undefined)
        fail(['failback', 'primary_api_addr'], "is only for method 'token'; remove it");
    }
  });

/** An operation plan: the operation's own fields, and the token path its authorisation takes. */
function checkOperation(
  plan: {
    kind: string;
    token_path: TokenPath;
    failback?: unknown;
    primary_cluster_addr?: string;
    operation?: PlanOperation;
  },
  fail: (path: Array<string | number>, message: string) => void,
): void {
  if (plan.failback !== undefined) fail(['failback'], "is only for kind 'failback'; remove it");
  if (plan.primary_cluster_addr !== undefined)
    fail(['primary_cluster_addr'], "is only for kind 'promotion'; an enable-primary gives it under operation");
  const op = plan.operation;
  if (op === undefined) {
    fail(['operation'], "is required for kind 'operation': its id and replication (dr or performance)");
    return;
  }
  const fields = OPERATION_FIELDS[op.id];
  for (const field of fields.required)
    if (op[field] === undefined) fail(['operation', field], `is required for operation '${op.id}'`);
  for (const field of Object.keys(op) as Array<keyof PlanOperation>)
    if (field !== 'id' && field !== 'replication' && ![...fields.required, ...fields.optional].includes(field))
      fail(['operation', field], `is not used by operation '${op.id}'; remove it`);
  if (op.id === 'update-primary') {
    if (op.method === 'addrs' && op.update_primary_addrs === undefined)
      fail(['operation', 'update_primary_addrs'], "is required with method 'addrs'");
    if (op.method === 'addrs' && op.primary_api_addr !== undefined)
      fail(['operation', 'primary_api_addr'], "is only for method 'token'; remove it");
    if (op.method === 'token' && op.update_primary_addrs !== undefined)
      fail(['operation', 'update_primary_addrs'], "is only for method 'addrs'; Vault refuses it together with a token");
  }
  const byVaultToken = operationAuth(op.id, op.replication) === 'vault-token';
  if (byVaultToken && plan.token_path !== 'vault-token')
    fail(
      ['token_path'],
      `must be 'vault-token': operation '${op.id}' (${op.replication}) is authorised by a Vault token, not a DR operation token`,
    );
  if (!byVaultToken && plan.token_path === 'vault-token')
    fail(
      ['token_path'],
      `cannot be 'vault-token': operation '${op.id}' runs on a DR secondary, which answers only to a DR operation token`,
    );
}

export type CeremonyPlan = z.output<typeof planSchema>;
export type PlanPerson = CeremonyPlan['administrator'];
export type PlanOfficer = CeremonyPlan['officers'][number];

/** Validates already-parsed data (for plans built in code or received over IPC). */
export function validatePlan(data: unknown): Result<CeremonyPlan, PlanErrorKind> {
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return err('invalid', 'the plan must be a mapping of fields (format, id, title, kind, …)');
  const parsed = planSchema.safeParse(data, { reportInput: true });
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.map(describeIssue);
  return err(
    'invalid',
    problems.length === 1
      ? problems[0]!
      : `the plan has ${problems.length} problems:\n${problems.map((p) => `- ${p}`).join('\n')}`,
  );
}

/** `officers[2].fingerprint must be …; got 'abc'`: the field as written in the file, then what is wrong. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = fieldPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const where = path ? ` in ${path}` : '';
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}${where}: check the spelling`;
  }
  const subject = path || 'the plan';
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${subject} is required`;
  const got = issue.code === 'custom' || issue.input === undefined ? '' : `; got ${show(issue.input)}`;
  return `${subject} ${issue.message}${got}`;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

function show(value: unknown): string {
  const text =
    typeof value === 'string' ? `'${value}'` : ((JSON.stringify(value) as string | undefined) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
