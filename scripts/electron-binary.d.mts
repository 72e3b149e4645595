/** The Electron executable's absolute path, or undefined when it is not installed. */
export function findElectronBinary(): string | undefined;

/** Fetches the binary with electron's own install.js: its path, or why it could not be fetched. */
export function fetchElectronBinary(): { ok: true; path: string } | { ok: false; reason: string };
