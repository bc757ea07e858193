import { ConfigError, loadApiConfig, parseAuthTokens } from '../config/api-config';
import { describeIdentity } from './token-scope';

const parse = (raw: string) => {
  const problems: string[] = [];
  return { tokens: parseAuthTokens(raw, problems), problems };
};

describe('A2A_AUTH_TOKENS scopes', () => {
  it('keeps name:token as an admin token (deployments from before scopes)', () => {
    expect(parse('ops:secret-0123456789abcdef')).toEqual({ tokens: [{ name: 'ops', scope: 'admin', token: 'secret-0123456789abcdef' }], problems: [] });
  });

  it('reads client, admin and worker scopes; the token may contain ":" "@" and "/"', () => {
    const { tokens, problems } = parse('ci@client:c-token, root@admin:a-token ,box1@worker/box-1.lan:w:to@k/en');
    expect(problems).toEqual([]);
    expect(tokens).toEqual([
      { name: 'ci', scope: 'client', token: 'c-token' },
      { name: 'root', scope: 'admin', token: 'a-token' },
      { name: 'box1', scope: 'worker', workerId: 'box-1.lan', token: 'w:to@k/en' },
    ]);
  });

  it('names every bad entry and never echoes the token', () => {
    const { tokens, problems } = parse('a@clint:SECRET1,b@worker:SECRET2,c@worker/:SECRET3,d@client/box:SECRET4,e@worker/has space:SECRET5,@client:SECRET6');
    expect(tokens).toEqual([]);
    expect(problems).toEqual([
      'A2A_AUTH_TOKENS entry 1 ("a@clint"): unknown scope "clint"; use admin, client or worker/<worker_id>',
      'A2A_AUTH_TOKENS entry 2 ("b@worker"): scope worker needs the worker id it is bound to: name@worker/<worker_id>',
      'A2A_AUTH_TOKENS entry 3 ("c@worker/"): scope worker needs the worker id it is bound to: name@worker/<worker_id>',
      'A2A_AUTH_TOKENS entry 4 ("d@client/box"): scope client takes no worker id (only worker/<worker_id> does)',
      'A2A_AUTH_TOKENS entry 5 ("e@worker/has space"): "has space" is not a valid worker id (1-128 letters, digits, ".", "_" or "-")',
      'A2A_AUTH_TOKENS entry 6 ("@client"): the name before "@" is empty',
    ]);
    expect(problems.join('\n')).not.toMatch(/SECRET/);
  });

  it('names must stay unique whatever their scope', () => {
    expect(parse('ci@client:one,ci@worker/w1:two').problems).toEqual(['A2A_AUTH_TOKENS names must be unique, "ci" appears twice']);
  });

  it('the API refuses to start with a bad scope', () => {
    const env = { DATABASE_URL: 'postgres://u@localhost:5432/db', REDIS_URL: 'redis://localhost:6379', A2A_AUTH_TOKENS: 'admin:0123456789abcdef0123,box@worker:0123456789abcdef0123' };
    expect(() => loadApiConfig(env)).toThrow(ConfigError);
    expect(() => loadApiConfig(env)).toThrow(/A2A_AUTH_TOKENS entry 2 \("box@worker"\): scope worker needs the worker id/);
  });

  it('describes an identity the way the config spells it', () => {
    expect(describeIdentity({ name: 'box1', scope: 'worker', workerId: 'w1' })).toBe('box1@worker/w1');
    expect(describeIdentity({ name: 'ci', scope: 'client' })).toBe('ci@client');
  });
});
