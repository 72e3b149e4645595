/**
 * Connection profiles: the saved list, and a form to add, import (from the VAULT_* variables
 * the main process was started with), test and save one. A profile holds an address and file
 * paths only; the files are read by the main process, never here.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  clusterNodeFromText,
  clusterNodeText,
  connectionProfileSchema,
  type ConnectionProfile,
} from '../../shared/profiles/connection-profile';
import type { ConnectionTest } from '../../shared/ipc/ipc-contract';
import { invoke } from '../api';
import { FilePathField } from '../components/path-field';
import { Notice, type NoticeTone } from '../components/notice';
import { TextField } from '../components/text-field';

type Draft = Record<Exclude<keyof ConnectionProfile, 'balancer'>, string> & { balancer: boolean };
type FieldErrors = Partial<Record<keyof ConnectionProfile, string>>;

const EMPTY: Draft = {
  name: '',
  address: '',
  caCertPath: '',
  clientCertPath: '',
  clientKeyPath: '',
  tlsServerName: '',
  nodes: '',
  balancer: false,
};

function draftOf(profile: ConnectionProfile): Draft {
  return {
    ...EMPTY,
    ...profile,
    tlsServerName: profile.tlsServerName ?? '',
    nodes: profile.nodes?.map(clusterNodeText).join(', ') ?? '',
    balancer: profile.balancer ?? false,
  };
}

/** Checks the draft with the same schema the main process applies, to point at the field at fault. */
function validate(draft: Draft): { profile: ConnectionProfile } | { errors: FieldErrors } {
  const { balancer, ...texts } = draft;
  const candidate: Record<string, unknown> = balancer ? { balancer } : {};
  for (const [key, value] of Object.entries(texts)) if (value.trim() !== '') candidate[key] = value.trim();
  // An HA cluster's nodes are typed as one list, separated by commas or spaces, each ADDR or ADDR=SERVER_NAME.
  if (typeof candidate['nodes'] === 'string')
    candidate['nodes'] = candidate['nodes']
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(clusterNodeFromText);
  const parsed = connectionProfileSchema.safeParse(candidate);
  if (parsed.success) return { profile: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as keyof ConnectionProfile | undefined;
    if (field !== undefined && errors[field] === undefined) {
      errors[field] = issue.code === 'invalid_type' ? 'This field is required.' : issue.message;
    }
  }
  return { errors };
}

function describeServer(test: ConnectionTest): string {
  const h = test.health;
  const role =
    h.status === 472
      ? 'the active node of a DR secondary'
      : h.status === 473
        ? 'a performance standby'
        : h.standby
          ? 'a standby node'
          : 'an active node';
  const version = h.version ? `Vault ${h.version}` : 'Vault';
  const cluster = h.cluster_name ? ` (cluster ${h.cluster_name})` : '';
  return `Connected to ${test.address} over mutual TLS: ${version}${cluster}, ${role}, ${h.sealed ? 'sealed' : 'unsealed'}.`;
}

export function ProfilesScreen() {
  const [profiles, setProfiles] = useState<readonly ConnectionProfile[]>([]);
  const [listError, setListError] = useState<string>();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [editing, setEditing] = useState<string>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<{ tone: NoticeTone; text: string; testId: string }>();
  const [busy, setBusy] = useState<'test' | 'save' | 'import'>();
  const [confirmRemove, setConfirmRemove] = useState<string>();

  const reload = useCallback(async () => {
    const result = await invoke('profiles.list', {});
    if (!result.ok) return setListError(result.error.message);
    setListError(undefined);
    setProfiles(result.value.profiles);
  }, []);
  useEffect(() => void reload(), [reload]);

  const set = (field: Exclude<keyof ConnectionProfile, 'balancer'>) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  function checked(): ConnectionProfile | undefined {
    const result = validate(draft);
    if ('errors' in result) {
      setErrors(result.errors);
      setNotice({
        tone: 'error',
        text: 'Some fields need attention; see the messages next to them.',
        testId: 'form-result',
      });
      return undefined;
    }
    setErrors({});
    return result.profile;
  }

  async function test() {
    const profile = checked();
    if (!profile) return;
    setBusy('test');
    setNotice({ tone: 'info', text: `Connecting to ${profile.address}…`, testId: 'test-result' });
    const result = await invoke('profiles.test', { profile });
    setBusy(undefined);
    setNotice(
      result.ok
        ? { tone: 'success', text: describeServer(result.value), testId: 'test-result' }
        : { tone: 'error', text: result.error.message, testId: 'test-result' },
    );
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const profile = checked();
    if (!profile) return;
    setBusy('save');
    const result = await invoke('profiles.save', { profile, replace: editing === profile.name });
    setBusy(undefined);
    if (!result.ok) return setNotice({ tone: 'error', text: result.error.message, testId: 'form-result' });
    setNotice({ tone: 'success', text: `Profile '${result.value.profile.name}' is saved.`, testId: 'form-result' });
    setDraft(EMPTY);
    setEditing(undefined);
    await reload();
  }

  async function importFromEnv() {
    setBusy('import');
    const result = await invoke('profiles.importFromEnv', { name: draft.name.trim() || 'imported' });
    setBusy(undefined);
    if (!result.ok) return setNotice({ tone: 'error', text: result.error.message, testId: 'form-result' });
    setDraft(draftOf(result.value.profile));
    setErrors({});
    setNotice({
      tone: 'info',
      text: 'Filled in from the VAULT_* variables the app was started with. Review, test and save it.',
      testId: 'form-result',
    });
  }

  async function remove(name: string) {
    setConfirmRemove(undefined);
    const result = await invoke('profiles.remove', { name });
    setNotice(
      result.ok
        ? { tone: 'success', text: `Profile '${name}' is removed.`, testId: 'list-result' }
        : { tone: 'error', text: result.error.message, testId: 'list-result' },
    );
    await reload();
  }

  function edit(profile: ConnectionProfile) {
    setDraft(draftOf(profile));
    setEditing(profile.name);
    setErrors({});
    setNotice(undefined);
    document.getElementById('profile-name')?.focus();
  }

  return (
    <>
      <section aria-labelledby="saved-heading">
        <h2 id="saved-heading">Saved profiles</h2>
        {listError && <Notice tone="error">{listError}</Notice>}
        {profiles.length === 0 && !listError && <p>No profile is saved yet.</p>}
        {profiles.length > 0 && (
          <table className="profiles">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Vault address</th>
                <th scope="col">CA certificate</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {profiles.map((profile) => (
                <tr key={profile.name}>
                  <th scope="row">{profile.name}</th>
                  <td>{profile.address}</td>
                  <td className="path">{profile.caCertPath}</td>
                  <td className="row-actions">
                    {confirmRemove === profile.name ? (
                      <>
                        <button type="button" className="danger" onClick={() => void remove(profile.name)}>
                          Remove '{profile.name}'
                        </button>
                        <button type="button" className="secondary" onClick={() => setConfirmRemove(undefined)}>
                          Keep it
                        </button>
                      </>
                    ) : (
                      <>
                        <button
                          type="button"
                          className="secondary"
                          onClick={() => edit(profile)}
                          aria-label={`Edit profile ${profile.name}`}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          onClick={() => setConfirmRemove(profile.name)}
                          aria-label={`Remove profile ${profile.name}`}
                        >
                          Remove…
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="form-heading">
        <h2 id="form-heading">{editing ? `Edit profile '${editing}'` : 'Add a profile'}</h2>
        <p>
          The laptop reaches Vault over mutual TLS: it needs the CA that signed the server's certificate, and a client
          certificate with its key. No token or key material is stored in a profile, only where the files are.
        </p>
        <form onSubmit={(event) => void save(event)} noValidate>
          <TextField
            id="profile-name"
            label="Name"
            value={draft.name}
            onChange={set('name')}
            error={errors.name}
            required
            hint="How you will recognise it, e.g. dc2-dr-secondary."
          />
          <TextField
            id="profile-address"
            label="Vault address"
            value={draft.address}
            onChange={set('address')}
            error={errors.address}
            required
            placeholder="https://vault-dr.example.com:8200"
          />
          <TextField
            id="profile-nodes"
            label="HA nodes (optional)"
            value={draft.nodes}
            onChange={set('nodes')}
            error={errors.nodes}
            hint="Each node's address, separated by commas, sharing these certificates (ADDRESS=NAME when a node's certificate names another host): the app asks every node which one is active."
          />
          <label className="checkbox-field">
            <input
              type="checkbox"
              id="profile-balancer"
              checked={draft.balancer}
              onChange={(e) => {
                const balancer = e.target.checked;
                setDraft((d) => ({ ...d, balancer }));
              }}
            />
            The Vault address is a load balancer: find the active node through its sys/leader answer
          </label>
          <FilePathField
            id="profile-ca"
            purpose="ca-bundle"
            label="CA certificate"
            value={draft.caCertPath}
            onChange={set('caCertPath')}
            error={errors.caCertPath}
            required
            hint="PEM file of the CA that signed the Vault server certificate (VAULT_CACERT)."
          />
          <FilePathField
            id="profile-cert"
            purpose="client-certificate"
            label="Client certificate"
            value={draft.clientCertPath}
            onChange={set('clientCertPath')}
            error={errors.clientCertPath}
            required
            hint="PEM client certificate for mutual TLS (VAULT_CLIENT_CERT)."
          />
          <FilePathField
            id="profile-key"
            purpose="client-key"
            label="Client key"
            value={draft.clientKeyPath}
            onChange={set('clientKeyPath')}
            error={errors.clientKeyPath}
            required
            hint="PEM private key of that certificate, unencrypted (VAULT_CLIENT_KEY)."
          />
          <TextField
            id="profile-server-name"
            label="TLS server name"
            value={draft.tlsServerName}
            onChange={set('tlsServerName')}
            error={errors.tlsServerName}
            hint="When the certificate's name differs from the address's host (VAULT_TLS_SERVER_NAME)."
          />
          {notice && (
            <Notice tone={notice.tone} testId={notice.testId}>
              {notice.text}
            </Notice>
          )}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => void test()} disabled={busy !== undefined}>
              Test connection
            </button>
            <button type="submit" disabled={busy !== undefined}>
              {editing ? 'Save changes' : 'Save profile'}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => void importFromEnv()}
              disabled={busy !== undefined}
            >
              Import from VAULT_* variables
            </button>
            {editing && (
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setDraft(EMPTY);
                  setEditing(undefined);
                  setErrors({});
                }}
              >
                Cancel editing
              </button>
            )}
          </div>
        </form>
      </section>
    </>
  );
}
