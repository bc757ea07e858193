/** A configuration problem: the process stops with exit code 2 and this message. */
export class ConfigError extends Error {
  constructor(
    /** Where the bad value came from: a file and key, an env var, or a flag. */
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export const CONFIG_ERROR_EXIT_CODE = 2;
