/**
 * A path to a file or folder: typed, or chosen with the main process's dialog. The renderer has
 * no file system of its own: it only passes the path on, and never sees what is there.
 */
import { useState } from 'react';
import type { DirectoryChoicePurpose, FileChoicePurpose, IpcResult, Value } from '../../shared/ipc/ipc-contract';
import { invoke } from '../api';
import { TextField, type TextFieldProps } from './text-field';

type PathFieldProps<P> = Omit<TextFieldProps, 'children'> & { readonly purpose: P };

/** A path to a file (a PEM, a key, a plan), chosen with the file dialog. */
export function FilePathField(props: PathFieldProps<FileChoicePurpose>) {
  return (
    <PathField
      {...props}
      dialog={() => invoke('dialog.openFile', { purpose: props.purpose })}
      chooseLabel={`Choose ${props.label.toLowerCase()} file`}
    />
  );
}

/** A path to a folder (a bundle to write or read), chosen with the folder dialog. */
export function FolderPathField(props: PathFieldProps<DirectoryChoicePurpose>) {
  return (
    <PathField
      {...props}
      dialog={() => invoke('dialog.openDirectory', { purpose: props.purpose })}
      chooseLabel={`Choose ${props.label.toLowerCase()}`}
    />
  );
}

/** Both dialogs answer with the chosen path, or null when cancelled. */
type Chosen = IpcResult<Value<'dialog.openFile'>>;

function PathField(
  props: Omit<TextFieldProps, 'children'> & { readonly dialog: () => Promise<Chosen>; readonly chooseLabel: string },
) {
  const { dialog, chooseLabel, onChange } = props;
  const [dialogError, setDialogError] = useState<string>();

  async function choose() {
    const chosen = await dialog();
    if (!chosen.ok) return setDialogError(chosen.error.message);
    setDialogError(undefined);
    if (chosen.value.path !== null) onChange(chosen.value.path);
  }

  return (
    <TextField {...props} error={props.error ?? dialogError}>
      <button type="button" className="secondary" onClick={() => void choose()} aria-label={chooseLabel}>
        Choose…
      </button>
    </TextField>
  );
}
