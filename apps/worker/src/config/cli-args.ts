import { parseArgs } from 'node:util';
import { ConfigError } from './config-error';

/** Command-line flags as documented in the worker guide (seed 000) plus a few of our own. */
export interface CliArgs {
  server?: string;
  name?: string;
  config?: string;
  codebases: string[];
  pollInterval?: string;
  opencode?: string;
  token?: string;
  maxConcurrent?: string;
  help: boolean;
}

export const USAGE = `Usage: codefleet-worker [options]

Runs AI coding agents for a Codefleet control plane on the codebases of this machine.

Options:
  -s, --server URL           control plane URL (env A2A_SERVER_URL, config server_url)
  -n, --name NAME            worker name (env A2A_WORKER_NAME, config worker_name; default hostname)
  -c, --config FILE          JSON config file (default /etc/a2a-worker/config.json if it exists)
  -b, --codebase NAME:PATH   codebase to register, or just PATH (repeatable)
  -i, --poll-interval SECS   poll interval of the HTTP fallback (env A2A_POLL_INTERVAL; default 5)
      --opencode PATH        OpenCode binary (config opencode_bin; default: auto-detect)
      --token TOKEN          bearer token for the control plane (env A2A_AUTH_TOKEN)
      --max-concurrent N     tasks run at once across all codebases (env A2A_MAX_CONCURRENT; default 1)
  -h, --help                 show this help

Other environment: A2A_WORKER_ID, A2A_REDIS_URL, ENABLED_TOOLS, DEFAULT_TOOL, LOG_LEVEL.
`;

export function parseCliArgs(argv: string[]): CliArgs {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        server: { type: 'string', short: 's' },
        name: { type: 'string', short: 'n' },
        config: { type: 'string', short: 'c' },
        codebase: { type: 'string', short: 'b', multiple: true },
        'poll-interval': { type: 'string', short: 'i' },
        opencode: { type: 'string' },
        token: { type: 'string' },
        'max-concurrent': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new ConfigError('command line', `${(err as Error).message} (see --help)`);
  }
  const str = (k: string): string | undefined => values[k] as string | undefined;
  return {
    server: str('server'),
    name: str('name'),
    config: str('config'),
    codebases: (values.codebase as string[] | undefined) ?? [],
    pollInterval: str('poll-interval'),
    opencode: str('opencode'),
    token: str('token'),
    maxConcurrent: str('max-concurrent'),
    help: values.help === true,
  };
}
