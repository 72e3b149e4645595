/**
 * Type-to-confirm for an action that cannot be undone: the button stays disabled until the
 * person has typed the exact name shown, so a stray click or Enter cannot set it off. The main
 * process checks the same text again before it acts (the ceremony's machine checks the people).
 */
import { useId } from 'react';

export function TypeToConfirm({
  expected,
  value,
  onChange,
  what,
  next,
}: {
  expected: string;
  value: string;
  onChange: (value: string) => void;
  what: string;
  /** The field is where focus goes next (see the wizard's focus rule). */
  next?: boolean;
}) {
  const id = useId();
  const matches = isConfirmed(expected, value);
  return (
    <div className="field confirm-field">
      <label htmlFor={id}>
        To {what}, type <strong className="confirm-word">{expected}</strong>
      </label>
      <input
        id={id}
        type="text"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={`${id}-state`}
        onPaste={(event) => event.preventDefault()}
        data-next={next && !matches ? 'true' : undefined}
      />
      <p id={`${id}-state`} className="hint" aria-live="polite">
        {matches ? 'Confirmed.' : value === '' ? 'Not confirmed yet.' : 'Does not match yet.'}
      </p>
    </div>
  );
}

export function isConfirmed(expected: string, value: string): boolean {
  return value.trim() === expected;
}
