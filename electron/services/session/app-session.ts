/**
 * Which Vault the app works against now: the built-in rehearsal Vault (until someone chooses a
 * profile), or one connection profile, live. The channels read it and change it only here.
 */
import type { AppMode } from '../../../shared/ipc/ipc-contract';
import { ok, type Result } from '../../../shared/result';
import type { ProfileStore } from '../profiles/profile-store';

export interface SessionMode {
  readonly mode: AppMode;
  /** The profile a live session works against; null in rehearsal. */
  readonly profile: string | null;
}

export class AppSession {
  private chosen: SessionMode = { mode: 'rehearsal', profile: null };

  constructor(private readonly profiles: ProfileStore) {}

  get current(): SessionMode {
    return this.chosen;
  }

  /** Rehearsal, or live on a saved profile (refused when there is no such profile). */
  async select(
    choice: { readonly mode: 'rehearsal' } | { readonly mode: 'live'; readonly profile: string },
  ): Promise<Result<SessionMode>> {
    if (choice.mode === 'rehearsal') {
      this.chosen = { mode: 'rehearsal', profile: null };
      return ok(this.chosen);
    }
    const found = await this.profiles.get(choice.profile);
    if (!found.ok) return found;
    this.chosen = { mode: 'live', profile: found.value.name };
    return ok(this.chosen);
  }

  /** Whether this session works against the named profile (which must then not be removed). */
  uses(profile: string): boolean {
    return this.chosen.profile === profile;
  }
}
