/**
 * Failback and setup operations: one replication call against one cluster, chosen from the
 * catalogue in shared/replication/replication-operations.ts. The destructive ones ask for the cluster's name
 * to be typed (the main process checks it again); tokens are masked, sent once and cleared; the
 * result is Vault's own answer with its secrets replaced. A secondary activation token, the one
 * secret that comes back, is shown once and gone when hidden or when the screen is left.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { AppInfo, ArgIn } from '../../shared/ipc/ipc-contract';
import {
  confirmationName,
  operationAuth,
  operationIds,
  OPERATIONS,
  operationRequestSchema,
  operationTitle,
  type OperationId,
  type OperationOutcome,
  type ReplicationKind,
  type ReplicationMode,
} from '../../shared/replication/replication-operations';
import { invoke } from '../api';
import { ClusterSelect, useClusterPicker } from '../components/cluster-picker';
import { Notice } from '../components/notice';
import { SecretField } from '../components/secret-field';
import { TextField } from '../components/text-field';
import { isConfirmed, TypeToConfirm } from '../components/type-to-confirm';
import { VaultAnswer } from '../components/vault-answer';
import { ActivationTokenPanel } from '../components/activation-token-panel';

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
type FieldErrors = Partial<Record<keyof Fields | 'activationToken' | 'token', string>>;

const optional = (text: string) => (text.trim() === '' ? undefined : text.trim());

/** The request the form describes, before the schema checks it. */
function draftRequest(
  operation: OperationId,
  replication: ReplicationKind,
  f: Fields,
  activationToken: string,
): unknown {
  switch (operation) {
    case 'enable-primary':
      return {
        operation,
        replication,
        ...(optional(f.primaryClusterAddr) ? { primaryClusterAddr: f.primaryClusterAddr.trim() } : {}),
      };
    case 'secondary-token':
      return { operation, replication, id: f.id, ttl: f.ttl };
    case 'revoke-secondary':
      return { operation, replication, id: f.id };
    case 'enable-secondary':
      return {
        operation,
        replication,
        activationToken,
        ...(optional(f.primaryApiAddr) ? { primaryApiAddr: f.primaryApiAddr.trim() } : {}),
        ...(optional(f.caFile) ? { caFile: f.caFile.trim() } : {}),
      };
    case 'update-primary':
      return {
        operation,
        replication,
        using:
          f.method === 'token'
            ? {
                method: 'token',
                activationToken,
                ...(optional(f.primaryApiAddr) ? { primaryApiAddr: f.primaryApiAddr.trim() } : {}),
              }
            : { method: 'addrs', updatePrimaryAddrs: f.updatePrimaryAddrs.split(/[\s,]+/).filter(Boolean) },
      };
    default:
      return { operation, replication };
  }
}

export function OperationsScreen({ info }: { info: AppInfo | undefined }) {
  const [replication, setReplication] = useState<ReplicationKind>('dr');
  const [operation, setOperation] = useState<OperationId>();
  const [fields, setFields] = useState<Fields>(EMPTY_FIELDS);
  const [activationToken, setActivationToken] = useState('');
  const [useRehearsalRoot, setUseRehearsalRoot] = useState(true);
  const [token, setToken] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<string>();
  const [outcome, setOutcome] = useState<OperationOutcome>();
  const [busy, setBusy] = useState(false);
  const picker = useClusterPicker(info, setProblem);
  const { targets } = picker;

  const target = picker.entry;
  const mode = useReplicationMode(target, replication, outcome);
  const offered = operationIds.filter((id) => !isKnownMode(mode) || OPERATIONS[id].modes.includes(mode));
  const spec = operation ? OPERATIONS[operation] : undefined;
  const auth = operation ? operationAuth(operation, replication) : undefined;
  const rehearsalRootOffered = target?.target.kind === 'rehearsal' && auth === 'vault-token';
  const expected = target ? confirmationName(target.target) : '';
  const confirmed = !spec?.destructive || isConfirmed(expected, confirmation);

  const set = (field: keyof Fields) => (value: string) => {
    setFields((f) => ({ ...f, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  function choose(next: OperationId) {
    setOperation(next);
    setErrors({});
    setProblem(undefined);
    setConfirmation('');
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!target || !operation || !auth) return setProblem('Choose a cluster and an operation first.');
    const parsed = operationRequestSchema.safeParse(draftRequest(operation, replication, fields, activationToken));
    const found: FieldErrors = {};
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = [...issue.path].reverse().find((p) => typeof p === 'string') as keyof FieldErrors | undefined;
        if (field === undefined) continue;
        found[field] ??= issue.message;
      }
    }
    const typed = !(rehearsalRootOffered && useRehearsalRoot);
    if (typed && token.trim() === '')
      found.token = auth === 'dr-operation-token' ? 'Enter the DR operation token.' : 'Enter a Vault token.';
    if (Object.keys(found).length > 0 || !parsed.success) {
      setErrors(found);
      return setProblem('Some fields need attention; see the messages next to them.');
    }
    const arg: ArgIn<'operations.run'> = {
      target: target.target,
      request: parsed.data,
      auth: typed ? { kind: auth, token } : { kind: 'rehearsal-root-token' },
      ...(spec?.destructive ? { confirmation } : {}),
    };
    setBusy(true);
    setOutcome(undefined);
    setProblem(undefined);
    const result = await invoke('operations.run', arg);
    setBusy(false);
    // Secrets leave the form whatever the answer: a retry means typing them again.
    setToken('');
    setActivationToken('');
    setConfirmation('');
    if (!result.ok) return setProblem(result.error.message);
    setOutcome(result.value);
  }

  if (targets !== undefined && targets.length === 0)
    return <p>No connection profile is saved, so there is no cluster to act on.</p>;

  return (
    <>
      <p id="operations-intro">
        Each operation acts on one cluster at once and is not part of a ceremony transcript. For an audited failback,
        run a failback plan on the Promotion ceremony screen.
      </p>
      <form onSubmit={(event) => void submit(event)} noValidate aria-describedby="operations-intro">
        <ClusterSelect
          id="operation-target"
          picker={picker}
          onSelect={() => (setConfirmation(''), setOperation(undefined))}
        />
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
            </p>
            <OperationFields
              operation={operation}
              fields={fields}
              set={set}
              errors={errors}
              activationToken={activationToken}
              setActivationToken={setActivationToken}
            />
            {rehearsalRootOffered && (
              <div className="field">
                <label className="choice">
                  <input
                    type="checkbox"
                    checked={useRehearsalRoot}
                    onChange={(e) => setUseRehearsalRoot(e.target.checked)}
                  />
                  <span>Use the rehearsal Vault's root token (rehearsal only; it never reaches this window)</span>
                </label>
              </div>
            )}
            {!(rehearsalRootOffered && useRehearsalRoot) && (
              <SecretField
                id="operation-token"
                label={auth === 'dr-operation-token' ? 'DR operation token' : 'Vault token'}
                value={token}
                onChange={(v) => (setToken(v), setErrors((e) => ({ ...e, token: undefined })))}
                error={errors.token}
                hint={
                  auth === 'dr-operation-token'
                    ? 'A DR secondary answers only to its DR operation token: one generated in a ceremony, or a batch DR operation token. Used for this call, then forgotten.'
                    : `Sent as X-Vault-Token for this call only, then forgotten.${operation === 'secondary-token' ? ' Needs sudo on this path.' : ''}`
                }
              />
            )}
            {spec.destructive && (
              <TypeToConfirm
                expected={expected}
                value={confirmation}
                onChange={setConfirmation}
                what={spec.title.toLowerCase()}
              />
            )}
            {problem && <Notice tone="error">{problem}</Notice>}
            <div className="actions">
              <button type="submit" className={spec.destructive ? 'danger' : undefined} disabled={busy || !confirmed}>
                {busy ? 'Sending…' : spec.title}
              </button>
            </div>
          </section>
        )}
        {!operation && problem && <Notice tone="error">{problem}</Notice>}
      </form>
      {outcome?.activationToken && (
        <ActivationTokenPanel
          token={outcome.activationToken}
          onHide={() => setOutcome({ ...outcome, activationToken: null })}
        />
      )}
      {outcome && <VaultAnswer outcome={outcome} />}
    </>
  );
}

function OperationFields({
  operation,
  fields,
  set,
  errors,
  activationToken,
  setActivationToken,
}: {
  operation: OperationId;
  fields: Fields;
  set: (field: keyof Fields) => (value: string) => void;
  errors: FieldErrors;
  activationToken: string;
  setActivationToken: (value: string) => void;
}) {
  const tokenField = (
    <SecretField
      id="operation-activation-token"
      label="Secondary activation token"
      value={activationToken}
      onChange={setActivationToken}
      error={errors.activationToken}
      hint="The activation token the primary created for this secondary's id."
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
          <TextField
            id="operation-secondary-id"
            label="Secondary id"
            value={fields.id}
            onChange={set('id')}
            error={errors.id}
            required
            hint="A name for the secondary, e.g. dc2; the primary lists it under known_secondaries."
          />
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
      return (
        <TextField
          id="operation-secondary-id"
          label="Secondary id"
          value={fields.id}
          onChange={set('id')}
          error={errors.id}
          required
          hint="The id the secondary was given when its activation token was created."
        />
      );
    case 'enable-secondary':
      return (
        <>
          {tokenField}
          <TextField
            id="operation-primary-api-addr"
            label="Primary API address"
            value={fields.primaryApiAddr}
            onChange={set('primaryApiAddr')}
            error={errors.primaryApiAddr}
            hint="Only when the address inside the activation token is not reachable from this cluster (primary_api_addr)."
          />
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
            <>
              {tokenField}
              <TextField
                id="operation-primary-api-addr"
                label="Primary API address"
                value={fields.primaryApiAddr}
                onChange={set('primaryApiAddr')}
                error={errors.primaryApiAddr}
              />
            </>
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

/** Reads the cluster's mode when the cluster or replication kind changes, and again after each operation. */
function useReplicationMode(
  target: { readonly target: ArgIn<'replication.status'>['target'] } | undefined,
  replication: ReplicationKind,
  after: unknown,
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
  }, [key, replication, after]);
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
