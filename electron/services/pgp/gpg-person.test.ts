// @tier integration
/**
 * The agent stop after each use of a person's key (withGpgPerson) returns only once that agent can
 * no longer be reached. `gpgconf --kill` returns when the agent has been told to stop, and a gpg
 * started before the agent has taken its socket down connects to it and fails; here gpgconf
 * returns even before it tells the agent, the widest form of that window.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempGnupg, type TempGnupg } from '../../../test/support/temp-gnupg';
import { agentReachable, runningAgent, withGpgPerson, type GpgPerson } from './gpg-person';

describe('stopping the agent after a use of a GnuPG key', () => {
  let gnupg: TempGnupg;
  let person: GpgPerson;

  beforeAll(() => {
    gnupg = createTempGnupg();
    const tools = join(gnupg.home, 'tools');
    mkdirSync(tools);
    const tool = (name: string, body: string) =>
      writeFileSync(join(tools, name), `#!/bin/sh\n${body}\n`, { mode: 0o700 });
    tool('gpg', 'exec gpg "$@"');
    tool('gpg-connect-agent', 'exec gpg-connect-agent "$@"');
    tool('gpgconf', '(sleep 0.3; exec gpgconf "$@") >/dev/null 2>&1 &');
    person = { name: 'Pat', fingerprint: 'AA', homedir: gnupg.home, pinFile: '/dev/null', gpgPath: join(tools, 'gpg') };
  });

  afterAll(() => gnupg?.dispose());

  it('returns once the agent that served the use can no longer be reached', async () => {
    const agent = await withGpgPerson(person, async () => {
      const info = spawnSync('gpg-connect-agent', [
        '--homedir',
        gnupg.home,
        'GETINFO pid',
        'GETINFO socket_name',
        '/bye',
      ]);
      return runningAgent(info.stdout.toString());
    });
    expect(agent).toMatchObject({ pid: expect.any(Number), socket: expect.stringMatching(/S\.gpg-agent$/) });
    expect(agentReachable(agent!)).toBe(false);
  });
});
