/**
 * A field for a secret (a token, a passphrase, a plaintext share): masked, never autocompleted,
 * spell-checked or offered to a password manager, and with no way to copy it out. Its value
 * lives in the form's state only until the form sends it, after which the form clears it.
 */
import { Field, type InputFieldProps } from './field';

export function SecretField({ id, label, value, onChange, hint, error, required = true }: InputFieldProps) {
  return (
    <Field id={id} label={label} hint={hint} error={error} required={required}>
      {(description) => (
        <input
          id={id}
          type="password"
          className="secret"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          required={required}
          {...description}
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="off"
          spellCheck={false}
          data-secret="true"
          // A masked field cannot be copied from anyway; cutting and dragging are refused too.
          onCopy={(event) => event.preventDefault()}
          onCut={(event) => event.preventDefault()}
          onDragStart={(event) => event.preventDefault()}
        />
      )}
    </Field>
  );
}
