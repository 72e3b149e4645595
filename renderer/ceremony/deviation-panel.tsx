/**
 * Deviations: every departure from the script is on the record and witnessed. Open ones (raised
 * by people, or detected by the laptop, such as a changed nonce) stop the ceremony until a
 * witness other than whoever raised them confirms; the form below raises one. Promoting with
 * force is only possible this way. An abort or a waiver cannot be undone, so no click confirms
 * it: the administrator and a witness sign it on the authorisation card shown with it.
 */
import { useState, type FormEvent } from 'react';
import { useDisclosure } from '../components/disclosure';
import type { CeremonySnapshot, DeviationView } from '../../shared/ceremony/ceremony-snapshot';
import { Notice } from '../components/notice';
import type { CeremonyHandle } from './use-ceremony';

const KIND_TEXT: Record<string, string> = {
  note: 'A note for the record',
  'force-promote': 'Promote with force',
  'two-primaries': 'Promote while another cluster still reports primary',
  'token-not-deleted': 'The DR operation token could not be deleted',
  'officer-absent': 'An officer is absent',
  'officer-substituted': "A substitute enters an officer's share",
  'attempt-in-progress': 'Someone else’s attempt was running',
  'attempt-lost': 'The attempt disappeared from Vault',
  'nonce-changed': 'The nonce changed',
  'progress-regressed': 'Vault lost shares already entered',
  'progress-unexpected': 'Vault counted shares this ceremony did not enter',
  'threshold-mismatch': 'Vault needs a different number of shares than the plan',
  resumed: 'The ceremony resumed after an interruption',
  cancel: 'The ceremony is being cancelled',
  abort: 'The ceremony is to be aborted',
};

type RaiseKind =
  'note' | 'force-promote' | 'two-primaries' | 'token-not-deleted' | 'officer-absent' | 'officer-substituted';

/** Who may confirm a deviation: a witness who did not raise it, or the administrator for one a witness raised. */
function witnessesFor(ceremony: CeremonySnapshot, d: DeviationView): string[] {
  const witnesses = ceremony.plan.witnesses.map((w) => w.name).filter((n) => n !== d.raisedBy);
  const byWitness = ceremony.plan.witnesses.some((w) => w.name === d.raisedBy);
  return byWitness ? [ceremony.plan.administrator.name, ...witnesses] : witnesses;
}

export function OpenDeviations({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  if (ceremony.openDeviations.length === 0) return null;
  const firstKind = ceremony.openDeviations[0]!.kind;
  return (
    <section
      aria-labelledby="open-deviations-heading"
      className="card card-critical takeover-card"
      data-testid="open-deviations"
    >
      <h2 id="open-deviations-heading">Stopped: {KIND_TEXT[firstKind] ?? firstKind}</h2>
      <p className="takeover-who">
        {ceremony.proposal?.kind === 'abort' ? (
          <>
            <strong>Nothing else happens</strong> until the administrator and a witness sign the abort below.
          </>
        ) : (
          <>
            <strong>Nothing else happens</strong> until each deviation below is confirmed for the record. Then the
            ceremony goes on with “{ceremony.title}”.
          </>
        )}
      </p>
      {ceremony.openDeviations.map((d) => (
        <div key={d.id} className="deviation">
          <h3>
            #{d.id}: {KIND_TEXT[d.kind] ?? d.kind}
          </h3>
          <p>{d.reason}</p>
          <p className="hint">
            {d.raisedBy ? `Raised by ${d.raisedBy}` : 'Detected by the laptop'} at <time dateTime={d.at}>{d.at}</time>
            {d.officer ? `; officer ${d.officer}` : ''}
            {d.substitute ? `; substitute ${d.substitute}` : ''}.
          </p>
          {d.id === ceremony.proposal?.id ? (
            <p className="ack-who">
              Who acts now: the administrator and a witness, each signing it with their own key on the card below.
            </p>
          ) : (
            <p className="ack-who">Who acts now: {witnessesFor(ceremony, d).join(' or ')}, as witness.</p>
          )}
          {d.id === ceremony.proposal?.id && <Withdraw ceremony={ceremony} handle={handle} deviation={d} />}
          <div className="actions">
            {(d.id === ceremony.proposal?.id ? [] : witnessesFor(ceremony, d)).map((name) => (
              <button
                key={name}
                type="button"
                disabled={handle.busy}
                onClick={() => void handle.send('ceremony.act', { type: 'deviationWitnessed', id: d.id, actor: name })}
              >
                Witness #{d.id} as {name}
              </button>
            ))}
          </div>
        </div>
      ))}
    </section>
  );
}

/** Taking back an abort or waiver before it is signed: whoever raised it, or the administrator. */
function Withdraw({
  ceremony,
  handle,
  deviation,
}: {
  ceremony: CeremonySnapshot;
  handle: CeremonyHandle;
  deviation: DeviationView;
}) {
  const admin = ceremony.plan.administrator.name;
  const who = [...new Set([deviation.raisedBy ?? admin, admin])];
  return (
    <details className="withdraw">
      <summary>Withdraw it instead (raised by mistake, or it will not be signed)</summary>
      <div className="actions">
        {who.map((name) => (
          <button
            key={name}
            type="button"
            className="secondary"
            disabled={handle.busy}
            onClick={() => void handle.send('ceremony.act', { type: 'withdraw', id: deviation.id, actor: name })}
          >
            Withdraw #{deviation.id} as {name}
          </button>
        ))}
      </div>
    </details>
  );
}

export function RaiseDeviation({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const admin = ceremony.plan.administrator.name;
  const [kind, setKind] = useState<RaiseKind>('note');
  const [actor, setActor] = useState(admin);
  const [officer, setOfficer] = useState('');
  const [substitute, setSubstitute] = useState('');
  const [reason, setReason] = useState('');
  const { open, setOpen, opener, panel, onKeyDown } = useDisclosure();
  const everyone = [admin, ...ceremony.plan.witnesses.map((w) => w.name), ...ceremony.plan.officers.map((o) => o.name)];

  async function raise(event: FormEvent) {
    event.preventDefault();
    const by = kind === 'note' ? actor : admin;
    const base = { type: 'deviation' as const, actor: by, reason };
    const sent =
      kind === 'officer-absent'
        ? await handle.send('ceremony.act', { ...base, kind, officer })
        : kind === 'officer-substituted'
          ? await handle.send('ceremony.act', { ...base, kind, officer, substitute })
          : await handle.send('ceremony.act', { ...base, kind });
    if (sent) {
      setReason('');
      setSubstitute('');
      setOpen(false);
    }
  }

  if (!open)
    return (
      <button type="button" className="secondary" ref={opener} onClick={() => setOpen(true)}>
        Raise a deviation…
      </button>
    );
  return (
    <section aria-labelledby="raise-heading" className="card" ref={panel} onKeyDown={onKeyDown}>
      <h2 id="raise-heading">Raise a deviation</h2>
      <form onSubmit={(event) => void raise(event)} noValidate>
        <div className="field">
          <label htmlFor="deviation-kind">What happened</label>
          <select id="deviation-kind" value={kind} onChange={(e) => setKind(e.target.value as RaiseKind)}>
            {(
              [
                'note',
                'officer-absent',
                'officer-substituted',
                'force-promote',
                'two-primaries',
                'token-not-deleted',
              ] as const
            ).map((k) => (
              <option key={k} value={k}>
                {KIND_TEXT[k]}
              </option>
            ))}
          </select>
          {kind === 'force-promote' && (
            <p className="hint">
              Only when Vault refuses to promote because the secondary is still catching up, and the old primary is
              confirmed gone. Writes not yet replicated will be lost. Once witnessed, the administrator and a witness
              authorise the forced promotion.
            </p>
          )}
          {kind === 'two-primaries' && (
            <p className="hint">
              Only when the cluster still reporting primary cannot be demoted and is confirmed cut off from every
              client. Two primaries accept diverging writes. Once witnessed, the administrator and a witness authorise
              the promotion again.
            </p>
          )}
          {kind === 'token-not-deleted' && (
            <p className="hint">
              Only after the laptop failed to delete the token, or lost it. The token never expires. This cannot be
              undone: the administrator and a witness then each authorise it by signing with their own key.
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="deviation-actor">Raised by</label>
          <select
            id="deviation-actor"
            value={kind === 'note' ? actor : admin}
            disabled={kind !== 'note'}
            onChange={(e) => setActor(e.target.value)}
          >
            {(kind === 'note' ? everyone : [admin]).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        {(kind === 'officer-absent' || kind === 'officer-substituted') && (
          <div className="field">
            <label htmlFor="deviation-officer">Officer</label>
            <select id="deviation-officer" value={officer} onChange={(e) => setOfficer(e.target.value)}>
              <option value="">Choose…</option>
              {ceremony.plan.officers.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {kind === 'officer-substituted' && (
          <div className="field">
            <label htmlFor="deviation-substitute">Substitute's name</label>
            <input
              id="deviation-substitute"
              type="text"
              value={substitute}
              onChange={(e) => setSubstitute(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor="deviation-reason">For the record: what happened and why</label>
          <textarea
            id="deviation-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={3}
            maxLength={500}
          />
        </div>
        {handle.error && <Notice tone="error">{handle.error.message}</Notice>}
        <div className="actions">
          <button type="submit" disabled={handle.busy || reason.trim() === ''}>
            Raise the deviation
          </button>
          <button type="button" className="secondary" onClick={() => setOpen(false)}>
            Never mind
          </button>
        </div>
      </form>
    </section>
  );
}
