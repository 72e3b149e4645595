/** A labelled text input whose hint and error are tied to it for assistive technology. */
import type { ReactNode } from 'react';
import { Field, type InputFieldProps } from './field';

export interface TextFieldProps extends InputFieldProps {
  readonly placeholder?: string;
  /** Extra controls after the input, such as a "Choose…" button. */
  readonly children?: ReactNode;
}

export function TextField({
  id,
  label,
  value,
  onChange,
  hint,
  error,
  required = false,
  placeholder,
  next,
  children,
}: TextFieldProps) {
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
            data-next={next ? 'true' : undefined}
          />
          {children}
        </div>
      )}
    </Field>
  );
}
