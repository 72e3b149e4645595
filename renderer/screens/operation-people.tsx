/**
 * Who takes part in an operation on a live cluster: the administrator and the witnesses, each with
 * their key's fingerprint (as gpg --fingerprint shows a key in GnuPG or on a card) or their public
 * key file, or both. The main process reads the files and prepares the plan from them; the wizard's
 * roll call then shows every name and fingerprint for people to confirm.
 */
import type { ArgIn } from '../../shared/ipc/ipc-contract';
import { FilePathField } from '../components/path-field';
import { TextField } from '../components/text-field';

export interface PersonDraft {
  readonly name: string;
  readonly fingerprint: string;
  readonly publicKeyPath: string;
}

export interface PeopleDraft {
  readonly administrator: PersonDraft;
  readonly witnesses: readonly PersonDraft[];
}

const EMPTY_PERSON: PersonDraft = { name: '', fingerprint: '', publicKeyPath: '' };
export const EMPTY_PEOPLE: PeopleDraft = { administrator: EMPTY_PERSON, witnesses: [EMPTY_PERSON] };

type People = NonNullable<ArgIn<'ceremony.startOperation'>['people']>;

/** The people as the channel takes them: trimmed, with empty key fields left out. */
export function peopleArg(draft: PeopleDraft): People {
  const person = (p: PersonDraft) => ({
    name: p.name.trim(),
    ...(p.fingerprint.trim() ? { fingerprint: p.fingerprint.trim() } : {}),
    ...(p.publicKeyPath.trim() ? { publicKeyPath: p.publicKeyPath.trim() } : {}),
  });
  return { administrator: person(draft.administrator), witnesses: draft.witnesses.map(person) };
}

export function OperationPeople({ people, onChange }: { people: PeopleDraft; onChange: (next: PeopleDraft) => void }) {
  const setWitness = (i: number) => (next: PersonDraft) =>
    onChange({ ...people, witnesses: people.witnesses.map((w, j) => (j === i ? next : w)) });
  return (
    <fieldset className="people" data-testid="operation-people">
      <legend>Who takes part</legend>
      <p className="hint">
        The plan is prepared from these names and keys; the ceremony&apos;s roll call shows each fingerprint for the
        person to confirm. Give a key&apos;s fingerprint, its public key file, or both (they must agree).
      </p>
      <PersonFields
        id="operation-administrator"
        role="Administrator"
        person={people.administrator}
        onChange={(administrator) => onChange({ ...people, administrator })}
      />
      {people.witnesses.map((w, i) => (
        <PersonFields
          key={i}
          id={`operation-witness-${i + 1}`}
          role={`Witness ${i + 1}`}
          person={w}
          onChange={setWitness(i)}
        />
      ))}
      {people.witnesses.length < 9 && (
        <button
          type="button"
          className="secondary"
          onClick={() => onChange({ ...people, witnesses: [...people.witnesses, EMPTY_PERSON] })}
        >
          Add another witness
        </button>
      )}
    </fieldset>
  );
}

function PersonFields({
  id,
  role,
  person,
  onChange,
}: {
  id: string;
  role: string;
  person: PersonDraft;
  onChange: (next: PersonDraft) => void;
}) {
  const set = (field: keyof PersonDraft) => (value: string) => onChange({ ...person, [field]: value });
  return (
    <fieldset className="person">
      <legend>{role}</legend>
      <TextField id={`${id}-name`} label={`${role} name`} value={person.name} onChange={set('name')} required />
      <TextField
        id={`${id}-fingerprint`}
        label={`${role} key fingerprint`}
        value={person.fingerprint}
        onChange={set('fingerprint')}
        hint="40 hex digits, as gpg --fingerprint shows them."
      />
      <FilePathField
        id={`${id}-key`}
        purpose="person-public-key"
        label={`${role} public key`}
        value={person.publicKeyPath}
        onChange={set('publicKeyPath')}
      />
    </fieldset>
  );
}
