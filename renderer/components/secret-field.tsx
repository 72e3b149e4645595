/**
 * A field for a secret (a token, a passphrase, a plaintext share): masked, never autocompleted,
 * spell-checked or offered to a password manager. Pasting is allowed; copying, cutting and
 * dragging out are refused even while shown. "Show" reveals it so a long passphrase or token can
 * be checked, and it masks itself again as soon as focus leaves the field and its button. Its
 * value lives in the form's state only until the form sends it, after which the form clears it.
 */
import { useState, type FocusEvent } from 'react';
import { Field, type InputFieldProps } from './field';

export function SecretField({ id, label, value, onChange, hint, error, required = true, next }: InputFieldProps) {
  const [shown, setShown] = useState(false);
  const toggle = `${id}-reveal`;
  // Mask again unless focus moved between the field and its own Show button.
  const remask = (event: FocusEvent) => {
    const to = event.relatedTarget as HTMLElement | null;
    if (to?.id !== id && to?.id !== toggle) setShown(false);
  };
  return (
    <Field id={id} label={label} hint={hint} error={error} required={required}>
      {(description) => (
        <div className="field-row">
          <input
            id={id}
            type={shown ? 'text' : 'password'}
            className="secret"
            value={value}
            onChange={(event) => onChange(event.target.value)}
            onBlur={remask}
            required={required}
            {...description}
            autoComplete="off"
            autoCorrect="off"
            autoCapitalize="off"
            spellCheck={false}
            data-secret="true"
            data-next={next ? 'true' : undefined}
            onCopy={(event) => event.preventDefault()}
            onCut={(event) => event.preventDefault()}
            onDragStart={(event) => event.preventDefault()}
          />
          <button
            id={toggle}
            type="button"
            className="secondary reveal"
            aria-pressed={shown}
            aria-controls={id}
            onClick={() => setShown(!shown)}
            onBlur={remask}
          >
            {shown ? 'Hide' : 'Show'}
            <span className="visually-hidden"> {label.toLowerCase()}</span>
          </button>
        </div>
      )}
    </Field>
  );
}
