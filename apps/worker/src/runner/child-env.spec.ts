import { buildChildEnv } from './child-env';

describe('buildChildEnv', () => {
  it('drops the worker secrets and nested-agent variables, keeps the CLIs keys, adds the tool env', () => {
    const env = buildChildEnv(
      {
        PATH: '/usr/bin',
        HOME: '/home/w',
        A2A_AUTH_TOKEN: 'tok',
        A2A_SERVER_URL: 'http://api',
        A2A_REDIS_URL: 'redis://r',
        SENDGRID_API_KEY: 'SG.x',
        DATABASE_URL: 'postgres://',
        REDIS_URL: 'redis://',
        PGPASSWORD: 'pw',
        CLAUDECODE: '1',
        CLAUDE_CODE_ENTRYPOINT: 'cli',
        OPENCODE: '1',
        OPENCODE_SESSION: 'ses_1',
        OPENCODE_CONFIG: '/etc/opencode.json',
        OPENCODE_DISABLE_AUTOUPDATE: 'true',
        CODEX_SANDBOX: 'seatbelt',
        CODEX_THREAD_ID: 't',
        ANTHROPIC_API_KEY: 'sk-ant',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
        OPENAI_API_KEY: 'sk',
        CODEX_API_KEY: 'k',
        UNDEFINED: undefined,
      },
      '/srv/codebase',
      { TOOL_SETTING: 'on', PATH: '/opt/tool/bin:/usr/bin' },
    );
    expect(env).toEqual({
      PATH: '/opt/tool/bin:/usr/bin',
      HOME: '/home/w',
      OPENCODE_CONFIG: '/etc/opencode.json',
      OPENCODE_DISABLE_AUTOUPDATE: 'true',
      ANTHROPIC_API_KEY: 'sk-ant',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
      OPENAI_API_KEY: 'sk',
      CODEX_API_KEY: 'k',
      TOOL_SETTING: 'on',
      PWD: '/srv/codebase',
    });
  });

  it('gives the agent the codebase as PWD and nothing of where the worker was started', () => {
    const env = buildChildEnv(
      { PATH: '/usr/bin', PWD: '/home/me/codefleet', OLDPWD: '/home/me', INIT_CWD: '/home/me/codefleet', npm_lifecycle_event: 'start:worker' },
      '/srv/codebase',
    );
    expect(env).toEqual({ PATH: '/usr/bin', PWD: '/srv/codebase' });
  });
});
