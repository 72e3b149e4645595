/** A labelled text input whose hint and error are tied to it for assistive technology. */
import type { ReactNode } from 'react';

export interface TextFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly hint?: string;
  readonly error?: string | undefined;
  readonly required?: boolean;
  readonly placeholder?: string;
  /** Extra controls after the input, such as a "Choose…" button. */
  readonly children?: ReactNode;
}

export function TextField({ id, label, value, onChange, hint, error, required = false, placeholder, children }: TextFieldProps) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {!required && <span className="optional"> (optional)</span>}
      </label>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <div className="field-row">
        <input
          id={id}
          type="text"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          required={required}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy || undefined}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
        />
        {children}
      </div>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
