/**
 * Failback and setup operations: one replication call against one cluster, chosen from the
 * catalogue in shared/replication/replication-operations.ts and filtered by the cluster's current
 * mode. Choosing one starts it as its own ceremony (the main process builds the plan; in a live session
 * from the administrator and witnesses named here, ./operation-people.tsx): the wizard
 * then runs the roll call, the pre-check, the authorisation (destructive calls on the irreversible
 * card), the call, the post-check, signing and export. No token is typed here: the ceremony asks.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { AppInfo, ArgIn } from '../../shared/ipc/ipc-contract';
import {
  operationIds,
  OPERATIONS,
  operationAuth,
  operationTitle,
  planOperationSchema,
  type OperationId,
  type ReplicationKind,
  type ReplicationMode,
} from '../../shared/replication/replication-operations';
import { invoke } from '../api';
import { ClusterSelect, useClusterPicker } from '../components/cluster-picker';
import { Notice } from '../components/notice';
import { TextField } from '../components/text-field';
import { EMPTY_PEOPLE, OperationPeople, peopleArg, type PeopleDraft } from './operation-people';

interface Fields {
  id: string;
  ttl: string;
  primaryClusterAddr: string;
  primaryApiAddr: string;
  caFile: string;
  method: 'token' | 'addrs';
  updatePrimaryAddrs: string;
}
const EMPTY_FIELDS: Fields = {
  id: '',
  ttl: '30m',
  primaryClusterAddr: '',
  primaryApiAddr: '',
  caFile: '',
  method: 'token',
  updatePrimaryAddrs: '',
};
type FieldErrors = Partial<Record<keyof Fields, string>>;

/** The plan's field each form field fills, for putting the schema's messages beside the right field. */
const FIELD_OF: Record<string, keyof Fields> = {
  secondary_id: 'id',
  ttl: 'ttl',
  primary_cluster_addr: 'primaryClusterAddr',
  primary_api_addr: 'primaryApiAddr',
  ca_file: 'caFile',
  method: 'method',
  update_primary_addrs: 'updatePrimaryAddrs',
};

const optional = (text: string) => (text.trim() === '' ? undefined : text.trim());

/** The plan's operation the form describes, before the schema checks it; the activation token is the ceremony's to ask for. */
function draftOperation(operation: OperationId, replication: ReplicationKind, f: Fields): Record<string, unknown> {
  const fields: Record<string, unknown> = { id: operation, replication };
  const put = (key: string, value: unknown) => value !== undefined && (fields[key] = value);
  switch (operation) {
    case 'enable-primary':
      put('primary_cluster_addr', optional(f.primaryClusterAddr));
      break;
    case 'secondary-token':
      put('secondary_id', f.id.trim());
      put('ttl', f.ttl.trim());
      break;
    case 'revoke-secondary':
      put('secondary_id', f.id.trim());
      break;
    case 'enable-secondary':
      put('primary_api_addr', optional(f.primaryApiAddr));
      put('ca_file', optional(f.caFile));
      break;
    case 'update-primary':
      put('method', f.method);
      if (f.method === 'token') put('primary_api_addr', optional(f.primaryApiAddr));
      else put('update_primary_addrs', f.updatePrimaryAddrs.split(/[\s,]+/).filter(Boolean));
      break;
    default:
      break;
  }
  return fields;
}

export function OperationsScreen({ info, onStarted }: { info: AppInfo | undefined; onStarted: () => void }) {
  const [replication, setReplication] = useState<ReplicationKind>('dr');
  const [operation, setOperation] = useState<OperationId>();
  const [fields, setFields] = useState<Fields>(EMPTY_FIELDS);
  const [people, setPeople] = useState<PeopleDraft>(EMPTY_PEOPLE);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const picker = useClusterPicker(info, setProblem);
  const { targets } = picker;

  const target = picker.entry;
  const mode = useReplicationMode(target, replication);
  const offered = operationIds.filter((id) => !isKnownMode(mode) || OPERATIONS[id].modes.includes(mode));
  const spec = operation ? OPERATIONS[operation] : undefined;
  const live = target?.target.kind === 'profile';
  // A live call taking a DR operation token names officers and a threshold: that is a plan file's to carry.
  const needsPlanFile =
    live && operation !== undefined && operationAuth(operation, replication) === 'dr-operation-token';

  const set = (field: keyof Fields) => (value: string) => {
    setFields((f) => ({ ...f, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  function choose(next: OperationId) {
    setOperation(next);
    setErrors({});
    setProblem(undefined);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!target || !operation) return setProblem('Choose a cluster and an operation first.');
    const parsed = planOperationSchema.safeParse(draftOperation(operation, replication, fields));
    if (!parsed.success) {
      const found: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const field = FIELD_OF[String(issue.path[0])];
        if (field !== undefined) found[field] ??= issue.message;
      }
      setErrors(found);
      return setProblem('Some fields need attention; see the messages next to them.');
    }
    const arg: ArgIn<'ceremony.startOperation'> = {
      target: target.target,
      operation: parsed.data,
      ...(live ? { people: peopleArg(people) } : {}),
    };
    setBusy(true);
    setProblem(undefined);
    const result = await invoke('ceremony.startOperation', arg);
    setBusy(false);
    if (!result.ok) return setProblem(result.error.message);
    onStarted();
  }

  if (targets !== undefined && targets.length === 0)
    return <p>No connection profile is saved, so there is no cluster to act on.</p>;

  return (
    <>
      <p id="operations-intro">
        Each operation runs as its own ceremony: the cluster&apos;s mode is read and stated, the administrator and a
        witness authorise the call, the change is checked, and the transcript is signed and exported.
      </p>
      <form onSubmit={(event) => void submit(event)} noValidate aria-describedby="operations-intro">
        <ClusterSelect id="operation-target" picker={picker} onSelect={() => setOperation(undefined)} />
        <fieldset className="choices">
          <legend>Replication</legend>
          {(['dr', 'performance'] as const).map((kind) => (
            <label className="choice" key={kind}>
              <input
                type="radio"
                name="replication"
                checked={replication === kind}
                onChange={() => setReplication(kind)}
              />
              <span>{kind === 'dr' ? 'Disaster recovery (DR)' : 'Performance'}</span>
            </label>
          ))}
        </fieldset>
        <p className="cluster-mode" role="status" data-testid="cluster-mode">
          {modeSentence(target?.label, replication, mode)}
        </p>
        {(['primary', 'secondary'] as const).map(
          (side) =>
            offered.some((id) => OPERATIONS[id].side === side) && (
              <fieldset className="choices" key={side}>
                <legend>{side === 'primary' ? 'On a primary' : 'On a secondary'}</legend>
                {offered
                  .filter((id) => OPERATIONS[id].side === side)
                  .map((id) => (
                    <label className="choice" key={id}>
                      <input
                        type="radio"
                        name="operation"
                        checked={operation === id}
                        onChange={() => choose(id)}
                        aria-describedby={`op-${id}-description`}
                      />
                      <span>
                        <strong>{OPERATIONS[id].title}</strong>
                        {OPERATIONS[id].destructive && <span className="destructive-tag"> (destructive)</span>}
                        <span id={`op-${id}-description`} className="hint choice-hint">
                          {OPERATIONS[id].description}
                        </span>
                      </span>
                    </label>
                  ))}
              </fieldset>
            ),
        )}

        {operation && spec && target && offered.includes(operation) && (
          <section aria-labelledby="operation-heading" className="card">
            <h2 id="operation-heading">{operationTitle(operation, replication)}</h2>
            <p>
              On <strong>{target.label}</strong> ({target.address}).
              {spec.destructive && ' It cannot be undone: the ceremony asks for the cluster name before the call.'}
            </p>
            <OperationFields operation={operation} fields={fields} set={set} errors={errors} />
            {needsPlanFile ? (
              <Notice tone="info">
                On a live cluster this operation takes a DR operation token from the officers&apos; shares, so it names
                the officers and the threshold: start it from a reviewed plan file (kind: operation) on the Promotion
                ceremony screen.
              </Notice>
            ) : (
              live && <OperationPeople people={people} onChange={setPeople} />
            )}
            {problem && <Notice tone="error">{problem}</Notice>}
            <div className="actions">
              <button type="submit" disabled={busy || needsPlanFile}>
                {busy ? 'Starting…' : 'Start the operation ceremony'}
              </button>
            </div>
          </section>
        )}
        {!operation && problem && <Notice tone="error">{problem}</Notice>}
      </form>
    </>
  );
}

function OperationFields({
  operation,
  fields,
  set,
  errors,
}: {
  operation: OperationId;
  fields: Fields;
  set: (field: keyof Fields) => (value: string) => void;
  errors: FieldErrors;
}) {
  const primaryApiAddr = (hint: string) => (
    <TextField
      id="operation-primary-api-addr"
      label="Primary API address"
      value={fields.primaryApiAddr}
      onChange={set('primaryApiAddr')}
      error={errors.primaryApiAddr}
      hint={hint}
    />
  );
  const secondaryId = (hint: string) => (
    <TextField
      id="operation-secondary-id"
      label="Secondary id"
      value={fields.id}
      onChange={set('id')}
      error={errors.id}
      required
      hint={hint}
    />
  );
  switch (operation) {
    case 'enable-primary':
      return (
        <TextField
          id="operation-primary-cluster-addr"
          label="Primary cluster address"
          value={fields.primaryClusterAddr}
          onChange={set('primaryClusterAddr')}
          error={errors.primaryClusterAddr}
          hint="The address secondaries reach this cluster on (primary_cluster_addr), when it differs from its cluster_addr."
        />
      );
    case 'secondary-token':
      return (
        <>
          {secondaryId('A name for the secondary, e.g. dc2; the primary lists it under known_secondaries.')}
          <TextField
            id="operation-ttl"
            label="TTL"
            value={fields.ttl}
            onChange={set('ttl')}
            error={errors.ttl}
            required
            hint="How long the activation token is valid, e.g. 30m."
          />
        </>
      );
    case 'revoke-secondary':
      return secondaryId('The id the secondary was given when its activation token was created.');
    case 'enable-secondary':
      return (
        <>
          {primaryApiAddr(
            'Only when the address inside the activation token is not reachable from this cluster (primary_api_addr).',
          )}
          <TextField
            id="operation-ca-file"
            label="CA file on the secondary"
            value={fields.caFile}
            onChange={set('caFile')}
            error={errors.caFile}
            hint="Path, on the secondary's servers, of the CA that signed the primary's API certificate (ca_file)."
          />
        </>
      );
    case 'update-primary':
      return (
        <>
          <fieldset className="choices">
            <legend>Point it at the new primary with</legend>
            <label className="choice">
              <input
                type="radio"
                name="update-method"
                checked={fields.method === 'token'}
                onChange={() => set('method')('token')}
              />
              <span>A new secondary activation token (resynchronises, replacing this cluster's data)</span>
            </label>
            <label className="choice">
              <input
                type="radio"
                name="update-method"
                checked={fields.method === 'addrs'}
                onChange={() => set('method')('addrs')}
              />
              <span>New primary cluster addresses (update_primary_addrs; same primary, new addresses)</span>
            </label>
          </fieldset>
          {fields.method === 'token' ? (
            primaryApiAddr('The ceremony asks for the activation token itself.')
          ) : (
            <TextField
              id="operation-update-addrs"
              label="Primary cluster addresses"
              value={fields.updatePrimaryAddrs}
              onChange={set('updatePrimaryAddrs')}
              error={errors.updatePrimaryAddrs}
              required
              hint="One or more, separated by commas or spaces, e.g. https://vault-dc1.example.com:8201."
            />
          )}
        </>
      );
    default:
      return null;
  }
}

/** The chosen cluster's replication mode: a mode, 'reading', or why it could not be read. */
type ModeState = ReplicationMode | 'reading' | { readonly unknown: string };

const isKnownMode = (m: ModeState): m is ReplicationMode => m === 'disabled' || m === 'primary' || m === 'secondary';

/** Reads the cluster's mode when the cluster or replication kind changes. */
function useReplicationMode(
  target: { readonly target: ArgIn<'replication.status'>['target'] } | undefined,
  replication: ReplicationKind,
): ModeState {
  const [mode, setMode] = useState<ModeState>('reading');
  const key = target ? JSON.stringify(target.target) : undefined;
  useEffect(() => {
    if (!target) return;
    let current = true;
    setMode('reading');
    void invoke('replication.status', { target: target.target }).then((r) => {
      if (!current) return;
      if (!r.ok) return setMode({ unknown: r.error.message });
      if (!r.value.replication.ok) return setMode({ unknown: r.value.replication.error.message });
      const m = r.value.replication.value[replication].mode;
      setMode(m === 'disabled' || m === 'primary' || m === 'secondary' ? m : { unknown: `Vault reports mode '${m}'` });
    });
    return () => {
      current = false;
    };
    // The key stands for the target: a new object for the same cluster is no reason to read again.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on purpose, see above
  }, [key, replication]);
  return mode;
}

function modeSentence(label: string | undefined, replication: ReplicationKind, mode: ModeState): string {
  const kind = replication === 'dr' ? 'DR' : 'performance';
  const name = label ?? 'The cluster';
  if (mode === 'reading') return `Reading ${name}'s ${kind} replication mode…`;
  if (!isKnownMode(mode))
    return `${name}'s ${kind} replication mode could not be read (${mode.unknown}), so every operation is offered: check the mode on the dashboard first.`;
  const now = mode === 'disabled' ? `has ${kind} replication disabled` : `is a ${kind} ${mode}`;
  return `${name} ${now}: only the operations that apply to it are offered.`;
}
