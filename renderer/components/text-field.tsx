/** A labelled text input whose hint and error are tied to it for assistive technology. */
import type { ReactNode } from 'react';
import { Field } from './field';

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
  return (
    <Field id={id} label={label} hint={hint} error={error} required={required}>
      {(description) => (
        <div className="field-row">
          <input
            id={id}
            type="text"
            value={value}
            onChange={(event) => onChange(event.target.value)}
            required={required}
            {...description}
            placeholder={placeholder}
            autoComplete="off"
            spellCheck={false}
          />
          {children}
        </div>
      )}
    </Field>
  );
}
