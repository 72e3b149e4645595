// @tier integration
/**
 * `parsePlan` against arbitrary YAML and JSON, structural mutations of a valid plan (a field
 * dropped, retyped or added, a person changed) and character-level damage to its YAML text.
 * Whatever comes in: no throw, 'syntax' or 'invalid' with a message, and anything accepted
 * really keeps the plan's rules (one person one role, unique keys, a reachable threshold).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { validatePlan, type CeremonyPlan, type PlanErrorKind } from '../../shared/ceremony/ceremony-plan';
import { parsePlan } from '../../shared/ceremony/plan-text';
import { fp, validPlanData } from '../support/ceremony-plan-data';
import { anyText, FUZZ_RUNS, mutationsOf, textOver } from './fuzz-support';

const ROOT = join(import.meta.dirname, '../..');
const KINDS: Record<PlanErrorKind, true> = { syntax: true, invalid: true };
/** The plan the mutations start from; each mutation edits its own copy. */
const VALID = validPlanData();
const FIELDS = [...Object.keys(VALID), 'break_glass_unauthenticated_access', 'failback', 'secret'];

/** Values a plan field could plausibly (or implausibly) be set to. */
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    1,
    2,
    0,
    -1,
    2.5,
    '1',
    true,
    null,
    'promotion',
    'failback',
    'batch-dr-token',
    'primary-root-token',
    'operation-token-quorum',
    'https://x.example',
    'http://x.example',
    fp('a'),
    fp('F'),
    'A'.repeat(300),
  ),
  fc.constant({ new_primary_profile: 'dc1', method: 'token', secondary_id: 'dc2' }),
  fc.constant({ new_primary_profile: 'dc2', method: 'addrs', update_primary_addrs: ['dc1:8201'] }),
  fc.array(
    fc.record({
      name: fc.constantFrom('Ann', 'ann', 'Wes', 'Zed', '', '\u0000'),
      fingerprint: fc.constantFrom(fp('a'), fp('b'), fp('9'), 'abc'),
    }),
    { maxLength: 4 },
  ),
);

const mutatedPlan = fc
  .array(
    fc.oneof(
      fc.record({ op: fc.constant('drop' as const), field: fc.constantFrom(...FIELDS) }),
      fc.record({ op: fc.constant('set' as const), field: fc.constantFrom(...FIELDS), value: fieldValue }),
      fc.record({
        op: fc.constant('person' as const),
        list: fc.constantFrom('witnesses', 'officers'),
        index: fc.nat(3),
        key: fc.constantFrom('name', 'fingerprint', 'share_index', 'extra'),
        value: fieldValue,
      }),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((edits) => {
    const plan = validPlanData();
    for (const edit of edits) {
      if (edit.op === 'drop') delete plan[edit.field];
      else if (edit.op === 'set') plan[edit.field] = edit.value;
      else {
        const list = plan[edit.list];
        if (Array.isArray(list) && list[edit.index] && typeof list[edit.index] === 'object')
          (list[edit.index] as Record<string, unknown>)[edit.key] = edit.value;
      }
    }
    return plan;
  });

/** Small YAML features a plan has no use for. */
const ODDITIES = [
  'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n',
  '<<: {format: 1}\n',
  'format: !!binary aGVsbG8=\n',
  '? [a]\n: b\n',
  '%YAML 1.1\n---\nformat: 1\n',
  '---\nformat: 1\n---\nformat: 2\n',
  'format: 1\nformat: 1\n',
];

/** Input built to exhaust the parser: deep nesting (flow, block, compact), thousands of keys, sheer size. */
const BOMBS: Record<string, string> = {
  'flow sequences 5,000 deep': '['.repeat(5000),
  'flow mappings 5,000 deep': '{a: '.repeat(5000),
  'compact sequences 5,000 deep': '- '.repeat(5000) + 'x',
  'block mappings 700 deep': Array.from({ length: 700 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
  '40,000 duplicate keys': 'x: 1\n'.repeat(40_000),
  '20,000 keys in one flow mapping': `{${Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join(', ')}}`,
  'more than 256 KiB': 'x'.repeat(300_000),
};

const planText = fc.oneof(
  anyText(),
  textOver('abcdefkmnoprstuvw_:-[]{},"\'&*!|>#%@ \n0123456789'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.anything({ maxDepth: 3, withNullPrototype: true, withMap: false, withSet: false }).map((v) => {
    try {
      return stringify(v) ?? '';
    } catch {
      return String(v);
    }
  }),
  mutatedPlan.map((p) => JSON.stringify(p)),
  mutatedPlan.map((p) => stringify(p)),
  mutationsOf(stringify(VALID)),
  mutationsOf(JSON.stringify(VALID)),
  fc.constantFrom(...ODDITIES),
);

/** The rules an accepted plan must keep, checked independently of the schema that enforced them. */
function expectCoherent(plan: CeremonyPlan): void {
  const people = [plan.administrator, ...plan.witnesses, ...plan.officers];
  expect(new Set(people.map((p) => p.name.toLowerCase())).size).toBe(people.length);
  expect(new Set(people.map((p) => p.fingerprint)).size).toBe(people.length);
  for (const p of people) expect(p.fingerprint).toMatch(/^[0-9a-f]{40}$/);
  if (plan.token_path === 'batch-dr-token') {
    expect(plan.officers).toEqual([]);
    expect(plan.threshold).toBeUndefined();
  } else {
    expect(plan.threshold).toBeGreaterThanOrEqual(1);
    expect(plan.threshold).toBeLessThanOrEqual(plan.officers.length);
  }
  if (plan.vault_version === 1) expect(plan.token_path).not.toBe('primary-root-token');
  expect(plan.kind === 'failback').toBe(plan.failback !== undefined);
  expect(validatePlan(plan).ok).toBe(true);
}

describe('parsePlan under hostile input', () => {
  it('accepts the valid plan these mutations start from', () => {
    expect(parsePlan(stringify(VALID)).ok).toBe(true);
  });

  it.each(Object.entries(BOMBS))('refuses %s quickly, as invalid', (_, text) => {
    const started = performance.now();
    expect(parsePlan(text)).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('survives deep nesting twice in a fresh process (yaml overflowing the stack once made the next parse abort Node)', () => {
    const script = `import { parsePlan } from ${JSON.stringify(join(ROOT, 'shared/ceremony/plan-text.ts'))};
      for (let i = 0; i < 3; i++) if (parsePlan('['.repeat(5000)).ok) process.exit(3);`;
    const child = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).not.toMatch(/FATAL ERROR/);
    expect(child.status).toBe(0);
  });

  it(`never throws, answers 'syntax' or 'invalid', and accepts only coherent plans (${FUZZ_RUNS} cases)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(planText, (text) => {
        const result = parsePlan(text);
        if (result.ok) {
          accepted++;
          expectCoherent(result.value);
          return;
        }
        expect(Object.hasOwn(KINDS, result.error.kind), result.error.kind).toBe(true);
        expect(result.error.message.length).toBeGreaterThan(10);
      }),
      { numRuns: FUZZ_RUNS },
    );
    // Some mutations (e.g. a dropped optional field) keep a plan valid: the accepting path is exercised too.
    expect(accepted).toBeGreaterThan(0);
  }, 120_000);

  it(`validatePlan never throws on arbitrary data (${FUZZ_RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({
            maxDepth: 3,
            withNullPrototype: true,
            withBigInt: true,
            withDate: true,
            withMap: true,
            withSet: true,
            withTypedArray: true,
          }),
          mutatedPlan,
        ),
        (data) => {
          const result = validatePlan(data);
          if (result.ok) expectCoherent(result.value);
          else expect(Object.hasOwn(KINDS, result.error.kind)).toBe(true);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  }, 120_000);
});
