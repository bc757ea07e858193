import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AgentToolInfo } from '#contracts';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { findExecutable, isExecutableFile } from '../system/find-executable';
import type { AgentAdapter } from './agent-adapter';
import { AiderAdapter } from './aider.adapter';
import { ClaudeCodeAdapter } from './claude-code.adapter';
import { CodexAdapter } from './codex.adapter';
import { CommandAdapter } from './command.adapter';
import { GeminiAdapter } from './gemini.adapter';
import { OpencodeAdapter } from './opencode.adapter';

/** Asks a CLI for its version: `<bin> --version`, first line, bounded in time. */
export type VersionProbe = (bin: string) => Promise<string | null>;

export const execVersionProbe =
  (timeoutMs = 5000): VersionProbe =>
  (bin) =>
    new Promise((resolve) => {
      execFile(bin, ['--version'], { timeout: timeoutMs, maxBuffer: 64 * 1024, env: process.env }, (err, stdout) => {
        const first = String(stdout ?? '').trim().split('\n')[0]?.trim();
        resolve(err || !first ? null : first.slice(0, 100));
      });
    });

interface ToolEntry {
  adapter: AgentAdapter;
  /** For adapters with per-run state: a fresh one for each task. */
  create?: () => AgentAdapter;
  bin: string;
  /** Whether `--version` is safe to run (a custom script might do anything with it). */
  probeVersion: boolean;
}

/**
 * Built-in agent CLIs besides OpenCode: the name of their executable on PATH, and their
 * adapter. `perRun`: the adapter keeps state while parsing, so each task gets its own.
 */
export const BUILTIN_CLIS: Record<string, { exe: string; adapter: (bin: string) => AgentAdapter; perRun?: boolean }> = {
  claude_code: { exe: 'claude', adapter: (bin) => new ClaudeCodeAdapter(bin) },
  codex: { exe: 'codex', adapter: (bin) => new CodexAdapter(bin) },
  gemini: { exe: 'gemini', adapter: (bin) => new GeminiAdapter(bin), perRun: true },
  aider: { exe: 'aider', adapter: (bin) => new AiderAdapter(bin), perRun: true },
};

/** The agent CLIs this worker can run: detected once at start, filtered by enabled_tools. */
export class ToolCatalog {
  private readonly tools = new Map<string, ToolEntry>();
  private agentsCache: Promise<AgentToolInfo[]> | null = null;

  constructor(
    private readonly config: WorkerConfig,
    private readonly probe: VersionProbe,
    private readonly logger: Logger,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const opencode = this.locateOpencode(env);
    if (opencode) this.tools.set('opencode', { adapter: new OpencodeAdapter(opencode), bin: opencode, probeVersion: true });
    for (const [name, cli] of Object.entries(BUILTIN_CLIS)) {
      const bin = this.locateBuiltin(name, cli.exe, env);
      if (bin) this.tools.set(name, { adapter: cli.adapter(bin), create: cli.perRun ? () => cli.adapter(bin) : undefined, bin, probeVersion: true });
    }
    // A custom tool of the same name replaces a built-in one: the operator said so.
    for (const tool of Object.values(config.tools)) {
      if (!isExecutableFile(tool.command)) {
        logger.warn({ tool: tool.name, command: tool.command }, 'configured tool is not an executable file; tasks for it fail with agent_not_found');
      }
      this.tools.set(tool.name, { adapter: new CommandAdapter(tool), bin: tool.command, probeVersion: false });
    }
    if (config.enabledTools) {
      for (const name of [...this.tools.keys()]) if (!config.enabledTools.includes(name)) this.tools.delete(name);
      const missing = config.enabledTools.filter((n) => !this.tools.has(n));
      if (missing.length) logger.warn({ tools: missing }, 'enabled tools that are not installed or configured');
    }
    if (!this.tools.has(config.defaultTool)) {
      logger.warn({ default_tool: config.defaultTool, available: this.names() }, 'the default tool is not available; tasks without a tool will fail with agent_not_found');
    }
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** The adapter for `name`, or a message saying why there is none. */
  resolve(name: string): AgentAdapter | string {
    const entry = this.tools.get(name);
    if (entry) return entry.create ? entry.create() : entry.adapter;
    const available = this.names().join(', ') || 'none';
    if (name === 'opencode') {
      return `tool "opencode" is not installed on worker ${this.config.workerId} (looked on PATH, ~/.local/bin and ~/.opencode/bin; set opencode_bin or --opencode). Available: ${available}`;
    }
    if (name in BUILTIN_CLIS && !(name in this.config.tools)) {
      return `tool "${name}" is not installed on worker ${this.config.workerId} (looked for ${BUILTIN_CLIS[name].exe} on PATH; set tools.${name}.bin). Available: ${available}`;
    }
    if (this.config.enabledTools && !this.config.enabledTools.includes(name) && (name in this.config.tools)) {
      return `tool "${name}" is not enabled on worker ${this.config.workerId} (enabled_tools). Available: ${available}`;
    }
    return `tool "${name}" is not configured on worker ${this.config.workerId}. Available: ${available}`;
  }

  /** Installed tools with their versions, probed in parallel once and cached. */
  agents(): Promise<AgentToolInfo[]> {
    this.agentsCache ??= Promise.all(
      [...this.tools.entries()].map(async ([name, t]) => ({
        name,
        bin: t.bin,
        version: t.probeVersion ? await this.probe(t.bin).catch(() => null) : null,
      })),
    );
    return this.agentsCache;
  }

  /** `tools.<name>.bin` from the config, else `exe` on PATH or ~/.local/bin. */
  private locateBuiltin(name: string, exe: string, env: NodeJS.ProcessEnv): string | null {
    const configured = this.config.toolBins?.[name];
    if (configured) {
      if (isExecutableFile(configured)) return configured;
      this.logger.warn({ tool: name, bin: configured }, 'configured tool bin is not an executable file');
      return null;
    }
    return findExecutable(exe, env.PATH, [join(env.HOME || homedir(), '.local', 'bin')]);
  }

  private locateOpencode(env: NodeJS.ProcessEnv): string | null {
    const opencodeBin = this.config.opencodeBin ?? this.config.toolBins?.opencode;
    if (opencodeBin) {
      if (isExecutableFile(opencodeBin)) return opencodeBin;
      this.logger.warn({ opencode_bin: opencodeBin }, 'opencode_bin is not an executable file');
      return null;
    }
    const home = env.HOME || homedir();
    return findExecutable('opencode', env.PATH, [join(home, '.local', 'bin'), join(home, '.opencode', 'bin')]);
  }
}
