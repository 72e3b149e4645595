/**
 * The Electron fuses every build must burn, and why. Fuses are bits in the Electron binary itself,
 * flipped at package time; unlike options in code, nothing the app or its environment does at run
 * time can turn them back. The release build closes every way to run code in the main process
 * other than the packaged app; the test build differs only in keeping the inspector, which
 * Playwright's `_electron` attaches through.
 */
import { FuseState, FuseV1Options, type FuseConfig } from '@electron/fuses';
import type { AppError } from '../../../shared/result';

export type BuildFlavour = 'release' | 'test';

/** electron-builder's `electronFuses` keys (its names for @electron/fuses' FuseV1Options). */
export type FuseName =
  | 'runAsNode'
  | 'enableNodeOptionsEnvironmentVariable'
  | 'enableNodeCliInspectArguments'
  | 'enableCookieEncryption'
  | 'enableEmbeddedAsarIntegrityValidation'
  | 'onlyLoadAppFromAsar'
  | 'grantFileProtocolExtraPrivileges';

interface FuseRule {
  readonly name: FuseName;
  readonly release: boolean;
  readonly test: boolean;
  readonly why: string;
}

export const FUSE_RULES: readonly FuseRule[] = [
  {
    name: 'runAsNode',
    release: false,
    test: false,
    why: 'with it on, ELECTRON_RUN_AS_NODE=1 turns the app binary into a plain Node.js that runs any script',
  },
  {
    name: 'enableNodeOptionsEnvironmentVariable',
    release: false,
    test: false,
    why: 'with it on, NODE_OPTIONS can load code into the main process, which handles shares and tokens',
  },
  {
    name: 'enableNodeCliInspectArguments',
    release: false,
    test: true,
    why: 'with it on, --inspect or SIGUSR1 opens a debugger on the main process, which holds decrypted shares; only the test build (Playwright attaches through it) keeps it',
  },
  {
    name: 'enableCookieEncryption',
    release: true,
    test: true,
    why: 'anything Chromium writes to its cookie store is encrypted with the OS key store',
  },
  {
    name: 'enableEmbeddedAsarIntegrityValidation',
    release: true,
    test: true,
    why: 'Electron refuses an app.asar whose contents differ from the hash recorded at build time (enforced on macOS and Windows)',
  },
  {
    name: 'onlyLoadAppFromAsar',
    release: true,
    test: true,
    why: 'Electron loads the app only from app.asar, never from a resources/app folder placed beside it',
  },
  {
    name: 'grantFileProtocolExtraPrivileges',
    release: false,
    test: false,
    why: 'the renderer is served from app://, so file:// pages need no privileges beyond a browser’s',
  },
];

export type FuseWireProblem = 'fuse-wire';

/**
 * Holds a binary's fuse wire (from @electron/fuses' getCurrentFuseWire) to the policy. Every
 * policy fuse must be explicitly on or off: a fuse missing from the wire or marked removed means an
 * Electron the policy was not written for.
 */
export function checkFuseWire(wire: FuseConfig<FuseState>, flavour: BuildFlavour): AppError<FuseWireProblem>[] {
  const states = wire as unknown as Record<string, FuseState | undefined>;
  return FUSE_RULES.flatMap((rule) => {
    const option = optionOf(rule.name);
    const state = states[String(option)];
    const expected = rule[flavour] ? FuseState.ENABLE : FuseState.DISABLE;
    if (state === expected) return [];
    const found =
      state === FuseState.ENABLE
        ? 'on'
        : state === FuseState.DISABLE
          ? 'off'
          : state === undefined
            ? 'missing from the fuse wire'
            : 'marked removed';
    return [
      {
        kind: 'fuse-wire',
        message: `the ${FuseV1Options[option]} fuse is ${found} but a ${flavour} build needs it ${rule[flavour] ? 'on' : 'off'}: ${rule.why}`,
      },
    ];
  });
}

/** electron-builder's key is @electron/fuses' option name with a lower-case first letter. */
function optionOf(name: FuseName): FuseV1Options {
  const option = FuseV1Options[(name[0]!.toUpperCase() + name.slice(1)) as keyof typeof FuseV1Options] as
    FuseV1Options | undefined;
  if (option === undefined) throw new TypeError(`no @electron/fuses option for electronFuses.${name}`);
  return option;
}
