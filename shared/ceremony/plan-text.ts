/**
 * Reading a ceremony plan file (YAML 1.2, of which JSON is a subset; the format is described in
 * ./ceremony-plan.ts, which validates the data). Kept apart from the validation so that what only
 * checks a plan already recorded in a journal, such as the auditor's `verify`, does not load a
 * YAML parser.
 */
import { Parser, parseDocument, type CST, type ErrorCode } from 'yaml';
import { err, type Result } from '../result';
import { validatePlan, type CeremonyPlan, type PlanErrorKind } from './ceremony-plan';

/** Plans are small; anything larger is not a plan and is refused before parsing. */
const MAX_PLAN_CHARS = 256 * 1024;
/**
 * A plan nests four deep and even with 255 officers has about 1,100 entries. yaml builds documents
 * recursively and checks duplicate keys in quadratic time, so deeper or longer input is refused
 * from the token stream first: nesting in the thousands overflows the stack, after which the next
 * parse in the same process can abort Node in V8's RegExp compiler, and 20,000 keys take minutes.
 */
const MAX_PLAN_NESTING = 16;
const MAX_PLAN_ENTRIES = 2000;

/** Parses and validates plan text (YAML 1.2, of which JSON is a subset). */
export function parsePlan(text: string): Result<CeremonyPlan, PlanErrorKind> {
  if (text.length > MAX_PLAN_CHARS)
    return err('invalid', `the plan is ${text.length} characters; a plan is at most ${MAX_PLAN_CHARS}`);
  const shape = shapeProblem(text);
  if (shape) return err('invalid', shape);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, version: '1.2' });
  const first = doc.errors[0];
  // yaml's own message can quote the offending text (a code frame, an unexpected token), and a
  // plan file may hold a token pasted by mistake: say where and what kind, never the text.
  if (first) {
    const at = first.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    return err('syntax', `the plan is not valid YAML${where}: ${yamlProblem(first.code)}`);
  }
  let data: unknown;
  try {
    // Aliases let one node appear in two places unseen by a reviewer; a plan has no need for them.
    data = doc.toJS({ maxAliasCount: 0 });
  } catch {
    return err('syntax', 'the plan is not valid YAML: it uses an alias (*name); write each value out in full');
  }
  return validatePlan(data);
}

/** The kind of YAML error, in words that quote nothing from the plan. */
function yamlProblem(code: ErrorCode): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'a key appears twice in one mapping; keys must be unique';
    case 'MISSING_CHAR':
      return 'a quote or bracket is not closed';
    case 'BAD_INDENT':
    case 'TAB_AS_INDENT':
      return 'the indentation is wrong (use spaces, and close every bracket)';
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one YAML document';
    default:
      return `the text there cannot be read as YAML (${code})`;
  }
}

/** Walks yaml's token tree (parsed without recursion) with an explicit stack, so no input can overflow it. */
function shapeProblem(text: string): string | undefined {
  const pending: Array<readonly [CST.Token | null | undefined, number]> = [...new Parser().parse(text)].map(
    (t) => [t, 0] as const,
  );
  let entries = 0;
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [token, depth] = next;
    if (!token) continue;
    if (token.type === 'document') pending.push([token.value, depth]);
    else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth >= MAX_PLAN_NESTING)
        return `the plan nests more than ${MAX_PLAN_NESTING} levels deep; a plan needs four`;
      entries += token.items.length;
      if (entries > MAX_PLAN_ENTRIES)
        return `the plan has more than ${MAX_PLAN_ENTRIES} list and mapping entries; even a plan with 255 officers has about 1,100`;
      for (const item of token.items) pending.push([item.key, depth + 1], [item.value, depth + 1]);
    }
  }
  return undefined;
}
