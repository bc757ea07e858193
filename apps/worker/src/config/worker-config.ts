/** The worker's validated configuration (flag > env > file > default), built once at boot. */
export interface CodebaseConfig {
  name: string;
  /** Absolute, normalized. */
  path: string;
  description: string;
}

/** A custom command tool: any executable, the task's fields expanded into its arguments. */
export interface CommandToolConfig {
  name: string;
  /** Absolute path of the executable (no shell, no PATH lookup). */
  command: string;
  /** Placeholders: {prompt} {model} {session_id} {task_id} {title} {agent_type} {codebase_path}. */
  args: string[];
  env: Record<string, string>;
  /** Working directory; relative to the codebase when not absolute. Default: the codebase. */
  cwd: string | null;
}

export interface WorkerConfig {
  serverUrl: string;
  workerId: string;
  workerName: string;
  pollIntervalS: number;
  codebases: CodebaseConfig[];
  capabilities: string[];
  maxConcurrent: number;
  /** Explicit binary; null means auto-detect on PATH, ~/.local/bin and ~/.opencode/bin. */
  opencodeBin: string | null;
  redisUrl: string | null;
  authToken: string | null;
  tools: Record<string, CommandToolConfig>;
  /**
   * Explicit binaries of built-in agent CLIs (`tools.<name>.bin` without `command`, e.g.
   * claude_code); a tool not named here is looked up on PATH.
   */
  toolBins?: Record<string, string>;
  /** null: every installed tool is enabled. */
  enabledTools: string[] | null;
  defaultTool: string;
  cancelGraceS: number;
  shutdownGraceS: number;
  /** Stop an agent that printed nothing (stdout or stderr) for this long: `idle_timeout`. 0: never. */
  idleTimeoutS: number;
  /** Stop an agent still running this long after its final result event; the task completes. 0: never. */
  postResultGraceS: number;
  /** Used until the server sets the interval in its register/heartbeat responses. */
  heartbeatIntervalS: number;
  logLevel: string;
  /**
   * Where the worker keeps what must outlive it (the agents it runs, so a restart stops the
   * ones a crash left behind): `state_dir`. Absolute.
   */
  stateDir: string;
  /** The file the configuration was read from, if any (for messages). */
  configFile: string | null;
}

export const CONFIG_DEFAULTS = {
  pollIntervalS: 5,
  capabilities: ['opencode', 'build', 'deploy'],
  maxConcurrent: 1,
  defaultTool: 'opencode',
  cancelGraceS: 10,
  shutdownGraceS: 30,
  idleTimeoutS: 1800,
  postResultGraceS: 10,
  heartbeatIntervalS: 10,
  logLevel: 'info',
  configFile: '/etc/a2a-worker/config.json',
} as const;
