/**
 * A panel opened from a button (raise a deviation, cancel the ceremony): opening moves focus into
 * the panel, Escape closes it, and closing puts focus back on the button that opened it, so a
 * keyboard user is never left on the page's body.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

export interface Disclosure {
  readonly open: boolean;
  readonly setOpen: (open: boolean) => void;
  /** For the button that opens the panel. */
  readonly opener: React.RefObject<HTMLButtonElement | null>;
  /** For the panel itself. */
  readonly panel: React.RefObject<HTMLElement | null>;
  /** The panel's onKeyDown: Escape closes it. */
  readonly onKeyDown: (event: KeyboardEvent) => void;
}

export function useDisclosure(): Disclosure {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLElement>(null);
  const changed = useRef(false);
  useEffect(() => {
    if (!changed.current) return;
    if (open) panel.current?.querySelector<HTMLElement>('select, textarea, input, button')?.focus();
    else opener.current?.focus();
  }, [open]);
  return {
    open,
    setOpen: (next) => {
      changed.current = true;
      setOpen(next);
    },
    opener,
    panel,
    onKeyDown: (event) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      changed.current = true;
      setOpen(false);
    },
  };
}
