/**
 * Starting a ceremony: in a live session, from the reviewed plan file and the officers' keyring;
 * in rehearsal, from a generated plan against a fresh rehearsal Vault (officers' own public
 * keys optional). The passphrase for generated rehearsal keys leaves this form when it is sent.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { AppInfo, Value } from '../../shared/ipc/ipc-contract';
import { FilePathField } from '../components/path-field';
import { Notice } from '../components/notice';
import { SecretField } from '../components/secret-field';
import type { CeremonyHandle } from './use-ceremony';

type Journals = Value<'ceremony.resumable'>['journals'];

export function CeremonyStart({ info, handle }: { info: AppInfo | undefined; handle: CeremonyHandle }) {
  if (info === undefined) return <p role="status">Loading…</p>;
  return info.mode === 'rehearsal' ? (
    <RehearsalStart handle={handle} />
  ) : (
    <PlanStart handle={handle} profile={info.profile ?? ''} />
  );
}

function PlanStart({ handle, profile }: { handle: CeremonyHandle; profile: string }) {
  const [planPath, setPlanPath] = useState('');
  const [keysPath, setKeysPath] = useState('');
  const [journals, setJournals] = useState<Journals>();

  useEffect(() => {
    void handle.call('ceremony.resumable', {}).then((r) => setJournals(r?.journals ?? []));
    // Once, on opening: the list changes only when a ceremony starts, and then this form is gone.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- on purpose, see above
  }, []);

  const keys = keysPath.trim() ? { officerKeysPath: keysPath.trim() } : {};

  async function start(event: FormEvent) {
    event.preventDefault();
    await handle.send('ceremony.startFromPlan', { planPath: planPath.trim(), ...keys });
  }

  return (
    <>
      <form onSubmit={(event) => void start(event)} noValidate aria-labelledby="plan-start-heading">
        <h2 id="plan-start-heading">Start from the reviewed plan</h2>
        <p>
          This session works against profile <strong>{profile}</strong>. The plan must name it; the laptop checks each
          officer's share against the key the plan pins for them.
        </p>
        <FilePathField
          id="plan-path"
          purpose="ceremony-plan"
          label="Ceremony plan"
          value={planPath}
          onChange={setPlanPath}
          required
          hint="The YAML plan the witnesses reviewed."
        />
        <FilePathField
          id="officer-keys-path"
          purpose="officer-public-keys"
          label="Officers' public keys"
          value={keysPath}
          onChange={setKeysPath}
          hint="One file with every officer's public key (gpg --export --armor FINGERPRINT…); not needed for a batch-token plan. Also needed to resume a ceremony below."
        />
        {handle.error && <Notice tone="error">{handle.error.message}</Notice>}
        <div className="actions">
          <button type="submit" disabled={handle.busy || planPath.trim() === ''}>
            {handle.busy ? 'Starting…' : 'Start the ceremony'}
          </button>
        </div>
      </form>
      {journals && journals.length > 0 && (
        <section aria-labelledby="resume-heading">
          <h2 id="resume-heading">Resume a ceremony</h2>
          <p>
            After a crash, a power cut or a restart, a ceremony goes on from its journal. The laptop records the
            interruption and reads from Vault where the attempt stands; the secrets it held are gone, so the machine
            decides what is needed again (usually a witnessed restart of the attempt).
          </p>
          <table data-testid="resumable">
            <thead>
              <tr>
                <th scope="col">Ceremony</th>
                <th scope="col">Profile</th>
                <th scope="col">Started (UTC)</th>
                <th scope="col">Where it stands</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {journals.map((j) => (
                <tr key={j.id}>
                  <th scope="row">
                    {j.title} <span className="muted">({j.planId})</span>
                    {j.rehearsal && <strong className="rehearsal-tag"> REHEARSAL</strong>}
                  </th>
                  <td>{j.profile}</td>
                  <td>{j.startedAt}</td>
                  <td>
                    {j.state}
                    {j.ended ? ' (ended)' : ''}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      disabled={handle.busy || !j.readable || j.profile !== profile}
                      onClick={() => void handle.send('ceremony.resume', { id: j.id, ...keys })}
                      aria-label={`${j.ended ? 'Reopen' : 'Resume'} ${j.planId} started ${j.startedAt}`}
                    >
                      {j.ended ? 'Reopen to export' : 'Resume'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}

function RehearsalStart({ handle }: { handle: CeremonyHandle }) {
  const [officers, setOfficers] = useState(5);
  const [threshold, setThreshold] = useState(3);
  const [vaultVersion, setVaultVersion] = useState<1 | 2>(1);
  const [otpLength, setOtpLength] = useState<28 | 26 | 0>(28);
  const [nodes, setNodes] = useState<1 | 3 | 5>(1);
  const [passphrase, setPassphrase] = useState('');
  const [ownKeys, setOwnKeys] = useState(false);
  const [keyPaths, setKeyPaths] = useState<string[]>(['']);

  /** The rehearsal Vault as chosen; the passphrase leaves the form with it. */
  function setup() {
    const paths = keyPaths.map((p) => p.trim()).filter(Boolean);
    const sent = passphrase;
    setPassphrase('');
    return {
      officers: ownKeys ? Math.max(paths.length, 1) : officers,
      threshold,
      vaultVersion,
      otpLength,
      nodes,
      ...(sent ? { keyPassphrase: sent } : {}),
      ...(ownKeys ? { officerKeyPaths: paths } : {}),
    };
  }

  async function start(event: FormEvent) {
    event.preventDefault();
    await handle.send('ceremony.startRehearsal', setup());
  }

  return (
    <form onSubmit={(event) => void start(event)} noValidate aria-labelledby="rehearsal-start-heading">
      <h2 id="rehearsal-start-heading">Rehearse the promotion</h2>
      <p>
        A fresh rehearsal Vault (a primary and its DR secondary) is started for this rehearsal, initialised with one
        PGP-encrypted share per officer as <code>vault operator init -pgp-keys</code> hands them out. The keys, shares
        and plan are written to a rehearsal kit folder shown once the rehearsal starts; people choose their files from
        it. Everything is marked REHEARSAL.
      </p>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="rehearsal-officers">Officers</label>
          <input
            id="rehearsal-officers"
            type="number"
            min={1}
            max={9}
            value={officers}
            disabled={ownKeys}
            onChange={(e) => setOfficers(Number(e.target.value))}
          />
        </div>
        <div className="field">
          <label htmlFor="rehearsal-threshold">Shares needed (threshold)</label>
          <input
            id="rehearsal-threshold"
            type="number"
            min={1}
            max={9}
            value={threshold}
            onChange={(e) => setThreshold(Number(e.target.value))}
          />
        </div>
        <div className="field">
          <label htmlFor="rehearsal-version">Vault version</label>
          <select
            id="rehearsal-version"
            value={vaultVersion}
            onChange={(e) => setVaultVersion(e.target.value === '2' ? 2 : 1)}
          >
            <option value={1}>1.x (DR operation token from officers' shares)</option>
            <option value={2} disabled={otpLength === 0}>
              2.x (the primary's root token first, then shares)
            </option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="rehearsal-otp-length">One-time password form</label>
          <select
            id="rehearsal-otp-length"
            value={otpLength}
            onChange={(e) => {
              const length = e.target.value === '0' ? 0 : e.target.value === '26' ? 26 : 28;
              setOtpLength(length);
              if (length === 0) setVaultVersion(1);
            }}
          >
            <option value={28}>28 characters (hvs. tokens)</option>
            <option value={26}>26 characters (s. tokens, disable_ssc_tokens)</option>
            <option value={0}>24-character base64, UUID token (a server before Vault 0.11)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="rehearsal-nodes">Nodes per cluster</label>
          <select
            id="rehearsal-nodes"
            value={nodes}
            aria-describedby="rehearsal-nodes-hint"
            onChange={(e) => setNodes(e.target.value === '5' ? 5 : e.target.value === '3' ? 3 : 1)}
          >
            <option value={1}>1 (a single node)</option>
            <option value={3}>3 (HA: one active node, two standbys)</option>
            <option value={5}>5 (HA: one active node, four standbys)</option>
          </select>
          <p id="rehearsal-nodes-hint" className="hint">
            With 3 or 5, drills during the ceremony change the active node, as can happen on the night.
          </p>
        </div>
      </div>
      <fieldset className="choices">
        <legend>Officers' keys</legend>
        <label className="choice">
          <input type="radio" name="officer-keys" checked={!ownKeys} onChange={() => setOwnKeys(false)} />
          <span>Generate rehearsal keys (written to the kit)</span>
        </label>
        <label className="choice">
          <input type="radio" name="officer-keys" checked={ownKeys} onChange={() => setOwnKeys(true)} />
          <span>Use the officers' own public keys (they decrypt with their own private key, card or gpg-agent)</span>
        </label>
      </fieldset>
      {ownKeys ? (
        keyPaths.map((path, i) => (
          <FilePathField
            key={i}
            id={`officer-key-${i + 1}`}
            purpose="officer-public-keys"
            label={`Officer ${i + 1} public key`}
            value={path}
            onChange={(value) => setKeyPaths((all) => [...all.slice(0, i), value, ...all.slice(i + 1)])}
            required
          />
        ))
      ) : (
        <SecretField
          id="rehearsal-passphrase"
          label="Passphrase for the generated keys"
          value={passphrase}
          onChange={setPassphrase}
          required={false}
          hint="Protects every generated rehearsal key, so officers and signers type it as they would their own. Leave empty for keys without one."
        />
      )}
      {ownKeys && keyPaths.length < 9 && (
        <button type="button" className="secondary" onClick={() => setKeyPaths((all) => [...all, ''])}>
          Add another officer
        </button>
      )}
      {handle.error && <Notice tone="error">{handle.error.message}</Notice>}
      <div className="actions">
        <button type="submit" disabled={handle.busy}>
          {handle.busy ? 'Starting the rehearsal Vault…' : 'Start the rehearsal'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={handle.busy || ownKeys}
          aria-describedby="failback-rehearsal-hint"
          onClick={() => void handle.send('ceremony.startFailbackRehearsal', { fresh: setup() })}
        >
          Rehearse the failback
        </button>
      </div>
      <p id="failback-rehearsal-hint" className="hint">
        Rehearse the failback instead: the promotion is played first without you (its signed bundle goes into the
        kit&rsquo;s <code>promotion</code> folder), then the old primary is failed back here as its own ceremony.
        {ownKeys ? " It needs generated officers' keys to play the promotion." : ''}
      </p>
    </form>
  );
}
