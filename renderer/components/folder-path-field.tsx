/**
 * A path to a folder: typed, or chosen with the main process's folder dialog. The renderer only
 * passes the path on; the main process reads or writes there.
 */
import { useState } from 'react';
import type { DirectoryChoicePurpose } from '../../shared/ipc-contract';
import { invoke } from '../api';
import { TextField, type TextFieldProps } from './text-field';

export function FolderPathField(props: Omit<TextFieldProps, 'children'> & { readonly purpose: DirectoryChoicePurpose }) {
  const { purpose, onChange, label } = props;
  const [dialogError, setDialogError] = useState<string>();

  async function choose() {
    const chosen = await invoke('dialog.openDirectory', { purpose });
    if (!chosen.ok) return setDialogError(chosen.error.message);
    setDialogError(undefined);
    if (chosen.value.path !== null) onChange(chosen.value.path);
  }

  return (
    <TextField {...props} error={props.error ?? dialogError}>
      <button type="button" className="secondary" onClick={choose} aria-label={`Choose ${label.toLowerCase()}`}>
        Choose…
      </button>
    </TextField>
  );
}
