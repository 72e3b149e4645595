/**
 * A path to a PEM file: typed, or chosen with the main process's file dialog (the renderer has
 * no file system of its own, and never sees the file's contents).
 */
import { useState } from 'react';
import type { FileChoicePurpose } from '../../shared/ipc-contract';
import { invoke } from '../api';
import { TextField, type TextFieldProps } from './text-field';

export function FilePathField(props: Omit<TextFieldProps, 'children'> & { readonly purpose: FileChoicePurpose }) {
  const { purpose, onChange, label } = props;
  const [dialogError, setDialogError] = useState<string>();

  async function choose() {
    const chosen = await invoke('dialog.openFile', { purpose });
    if (!chosen.ok) return setDialogError(chosen.error.message);
    setDialogError(undefined);
    if (chosen.value.path !== null) onChange(chosen.value.path);
  }

  return (
    <TextField {...props} error={props.error ?? dialogError}>
      <button type="button" className="secondary" onClick={choose} aria-label={`Choose ${label.toLowerCase()} file`}>
        Choose…
      </button>
    </TextField>
  );
}
