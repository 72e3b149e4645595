/**
 * A message about what just happened. Errors interrupt (role="alert"), everything else waits
 * its turn (role="status"); the tone is spelled out in words, never by colour alone.
 */
import type { ReactNode } from 'react';

export type NoticeTone = 'error' | 'success' | 'info';

const PREFIX: Record<NoticeTone, string> = { error: 'Problem: ', success: 'Done: ', info: '' };

export function Notice({ tone, children, testId }: { tone: NoticeTone; children: ReactNode; testId?: string }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'} data-testid={testId}>
      {PREFIX[tone] && <strong>{PREFIX[tone]}</strong>}
      {children}
    </div>
  );
}
