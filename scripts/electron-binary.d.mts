/** The Electron executable's absolute path, or undefined when it is not installed. */
export function findElectronBinary(): string | undefined;
