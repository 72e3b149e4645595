/** A labelled form field whose hint and error are tied to its control for assistive technology. */
import type { ReactNode } from 'react';

/** What the control spreads onto itself so assistive technology reads its hint and error. */
export interface FieldDescription {
  readonly 'aria-invalid': true | undefined;
  readonly 'aria-describedby': string | undefined;
}

/** The props every single-value input field takes. */
export interface InputFieldProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly hint?: string;
  readonly error?: string | undefined;
  readonly required?: boolean;
  /** This field is the next thing to do: the ceremony wizard moves focus here after an answer. */
  readonly next?: boolean;
}

export interface FieldProps {
  readonly id: string;
  readonly label: string;
  readonly hint?: string | undefined;
  readonly error?: string | undefined;
  readonly required: boolean;
  /** Renders the control (whose id is `id`) between the hint and the error. */
  readonly children: (description: FieldDescription) => ReactNode;
}

export function Field({ id, label, hint, error, required, children }: FieldProps) {
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
      {children({ 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy || undefined })}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
