// Static checks of the deployment files: docker-compose.yml, the Dockerfiles, the systemd
// unit, deploy/install.sh, the Kubernetes manifests and the monitoring config.
// Uses tools only when they are on PATH (docker compose / docker-compose, bash, shellcheck)
// and js-yaml only if it is installed (it is, transitively); otherwise falls back to text checks.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');

type YamlLib = { load(src: string): unknown; loadAll(src: string): unknown[] };
function loadYamlLib(): YamlLib | null {
  try {
    const lib = require('js-yaml') as Partial<YamlLib>;
    return typeof lib.load === 'function' && typeof lib.loadAll === 'function' ? (lib as YamlLib) : null;
  } catch {
    return null;
  }
}
const yaml = loadYamlLib();

type Obj = Record<string, any>;

function runs(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
}

/** `docker compose` (v2 plugin) or `docker-compose`, whichever works here. */
function composeCommand(): string[] | null {
  if (runs('docker', ['compose', 'version'])) return ['docker', 'compose'];
  if (runs('docker-compose', ['version'])) return ['docker-compose'];
  return null;
}

/** Keys directly under a top-level YAML mapping (text fallback when js-yaml is missing). */
function topLevelKeysUnder(src: string, section: string): string[] {
  const lines = src.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === `${section}:`);
  if (start < 0) return [];
  const keys: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // next top-level key
    const m = /^ {2}([A-Za-z0-9_.-]+):\s*(#.*)?$/.exec(line);
    if (m) keys.push(m[1]);
  }
  return keys;
}

/** [Section] -> key -> values (a key may repeat). */
function parseUnit(src: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current = new Map<string, string[]>();
  for (const raw of src.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      current = new Map();
      sections.set(sec[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const SERVICES = ['postgres', 'redis', 'api', 'worker', 'mailpit', 'prometheus', 'grafana'];
const METRICS = [
  'codefleet_tasks_total',
  'codefleet_dispatch_latency_seconds',
  'codefleet_task_duration_seconds',
  'codefleet_queue_depth',
  'codefleet_workers',
  'codefleet_output_bytes_total',
  'http_request_duration_seconds',
];

describe('docker-compose.yml', () => {
  const src = read('docker-compose.yml');

  it('is a valid compose file (validated with compose when available)', () => {
    const compose = composeCommand();
    if (compose) {
      const [cmd, ...pre] = compose;
      const r = spawnSync(cmd, [...pre, '-f', 'docker-compose.yml', 'config', '-q'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      });
      // stderr is shown only when the command failed.
      expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
      const services = spawnSync(cmd, [...pre, '-f', 'docker-compose.yml', 'config', '--services'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(services.status).toBe(0);
      expect(services.stdout.split('\n').filter(Boolean).sort()).toEqual([...SERVICES].sort());
    } else {
      console.info('deploy-files: neither `docker compose` nor `docker-compose` on PATH; compose validation skipped, text checks only');
      expect(topLevelKeysUnder(src, 'services').sort()).toEqual([...SERVICES].sort());
    }
  });

  it('wires the services together', () => {
    expect(src).toMatch(/pg_isready/);
    expect(src).toMatch(/redis-cli", "ping"/);
    expect(src).toMatch(/A2A_SERVER_URL: http:\/\/api:8000/);
    expect(src).toMatch(/"--codebase", "workspace:\/codebases\/workspace"/);
    expect(src).toMatch(/\.\/workspace:\/codebases\/workspace/);
    expect(src).toMatch(/stop_grace_period: 40s/);
    expect(src).toMatch(/SMTP_URL: \$\{SMTP_URL:-smtp:\/\/mailpit:1025\}/);
    // Secrets default for local use but can be overridden.
    expect(src).toMatch(/\$\{POSTGRES_PASSWORD:-[^}]+\}/);
    expect(src).toMatch(/\$\{CODEFLEET_WORKER_TOKEN:-[^}]+\}/);
    expect(src).toMatch(/\$\{EMAIL_SIGNING_SECRET:-[^}]+\}/);
    if (!yaml) return;
    const doc = yaml.load(src) as Obj;
    expect(Object.keys(doc.services).sort()).toEqual([...SERVICES].sort());
    expect(doc.services.api.depends_on.postgres.condition).toBe('service_healthy');
    expect(doc.services.api.depends_on.redis.condition).toBe('service_healthy');
    expect(doc.services.worker.depends_on.api.condition).toBe('service_healthy');
    expect(doc.services.postgres.image).toBe('postgres:17');
    expect(doc.services.redis.image).toBe('redis:7');
    expect(doc.services.mailpit.image).toMatch(/^axllent\/mailpit/);
    expect(doc.services.api.build.dockerfile).toBe('Dockerfile.api');
    expect(doc.services.worker.build.dockerfile).toBe('Dockerfile.worker');
    expect(Object.keys(doc.services.worker.build.args)).toEqual(
      expect.arrayContaining(['INSTALL_OPENCODE', 'INSTALL_CLAUDE_CODE', 'INSTALL_CODEX', 'INSTALL_GEMINI_CLI', 'INSTALL_AIDER']),
    );
    expect(Object.keys(doc.services.worker.environment)).toEqual(
      expect.arrayContaining(['A2A_SERVER_URL', 'A2A_AUTH_TOKEN', 'A2A_REDIS_URL', 'ENABLED_TOOLS', 'DEFAULT_TOOL']),
    );
  });

  it('mounts monitoring config that exists', () => {
    for (const m of src.matchAll(/- (\.\/deploy\/[^:\s]+):/g)) {
      expect(existsSync(join(root, m[1]))).toBe(true);
    }
  });
});

describe('Dockerfiles', () => {
  it('Dockerfile.api: multi-stage, non-root, healthcheck on /health/live, port 8000', () => {
    const src = read('Dockerfile.api');
    expect(src).toMatch(/ARG NODE_IMAGE=node:24-slim/);
    expect((src.match(/^FROM /gm) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(src).toMatch(/npm install --no-audit/);
    expect(src).toMatch(/npm install --omit=dev/);
    expect(src).toMatch(/npm run build/);
    expect(src).toMatch(/^USER (?!root)\S+/m);
    expect(src).toMatch(/^HEALTHCHECK .*\n?.*\/health\/live/m);
    expect(src).toMatch(/^EXPOSE 8000$/m);
    expect(src).toMatch(/dist\/apps\/api\/src\/main\.js/);
  });

  it('Dockerfile.worker: agent CLI build args, tini, git, a2a-worker user, config volume', () => {
    const src = read('Dockerfile.worker');
    for (const [arg, def] of [
      ['INSTALL_OPENCODE', 'true'],
      ['INSTALL_CLAUDE_CODE', 'true'],
      ['INSTALL_CODEX', 'false'],
      ['INSTALL_GEMINI_CLI', 'false'],
      ['INSTALL_AIDER', 'false'],
    ]) {
      expect(src).toMatch(new RegExp(`^ARG ${arg}=${def}$`, 'm'));
    }
    for (const pkg of ['opencode-ai', '@anthropic-ai/claude-code', '@openai/codex', '@google/gemini-cli', 'aider-chat']) {
      expect(src).toContain(pkg);
    }
    expect(src).toMatch(/\bgit\b.*\btini\b/);
    expect(src).toMatch(/^USER a2a-worker$/m);
    expect(src).toMatch(/--home-dir \/home\/a2a-worker/);
    expect(src).toMatch(/^VOLUME \[.*"\/etc\/a2a-worker".*\]$/m);
    expect(src).toMatch(/^WORKDIR \/codebases$/m);
    expect(src).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(src).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"/m);
    expect(read('deploy/docker/worker-entrypoint.sh')).toContain('dist/apps/worker/src/main.js');
  });

  it('the worker entrypoint is valid sh', () => {
    const r = spawnSync('sh', ['-n', join(root, 'deploy/docker/worker-entrypoint.sh')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('.dockerignore keeps host builds and secrets out of the context', () => {
    const lines = read('.dockerignore').split('\n').map((l) => l.trim());
    expect(lines).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '.env']));
  });
});

describe('systemd unit', () => {
  const unit = parseUnit(read('deploy/systemd/a2a-agent-worker.service'));
  const service = unit.get('Service') ?? new Map<string, string[]>();
  const one = (key: string) => service.get(key)?.at(-1);

  it('runs the worker as a2a-worker with the config file', () => {
    expect(one('User')).toBe('a2a-worker');
    expect(one('Group')).toBe('a2a-worker');
    expect(one('ExecStart')).toBe(
      '/usr/bin/node /opt/a2a-worker/dist/apps/worker/src/main.js --config /etc/a2a-worker/config.json',
    );
    expect(one('EnvironmentFile')).toBe('-/etc/a2a-worker/env');
    expect(one('Restart')).toBe('always');
    expect(one('RestartSec')).toBe('10');
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('has the hardening and resource limits of the seed', () => {
    expect(one('NoNewPrivileges')).toBe('true');
    expect(one('ProtectSystem')).toBe('full');
    expect(one('ProtectHome')).toBe('read-only');
    expect(one('ReadWritePaths')).toBe('/home /opt/a2a-worker');
    expect(one('PrivateTmp')).toBe('true');
    expect(one('MemoryMax')).toBe('2G');
    expect(one('CPUQuota')).toBe('200%');
    for (const key of ['ProtectKernelTunables', 'ProtectKernelModules', 'ProtectControlGroups', 'RestrictSUIDSGID']) {
      expect(one(key)).toBe('true');
    }
    // Would break node's JIT.
    expect(service.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it('stops gracefully: SIGTERM to the worker, 45 s before SIGKILL', () => {
    expect(one('KillMode')).toBe('mixed');
    expect(one('TimeoutStopSec')).toBe('45');
  });
});

describe('deploy/install.sh', () => {
  const path = join(root, 'deploy/install.sh');
  const src = read('deploy/install.sh');

  it('passes bash -n', () => {
    const r = spawnSync('bash', ['-n', path], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('passes shellcheck when it is installed', () => {
    if (!runs('shellcheck', ['--version'])) {
      console.info('deploy-files: shellcheck not on PATH; skipped');
      return;
    }
    const r = spawnSync('shellcheck', ['-S', 'warning', path], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('is strict, executable, and does what the docs say', () => {
    expect(src).toMatch(/^set -euo pipefail$/m);
    expect(statSync(path).mode & 0o111).not.toBe(0);
    expect(src).toContain('--uninstall');
    expect(src).toMatch(/run_npm install --omit=dev/);
    expect(src).toContain('deploy/config.example.json');
    expect(src).toMatch(/install -m 600 -o "\$SERVICE_USER"/);
    expect(src).toContain('daemon-reload');
  });

  it('config.example.json has the documented keys', () => {
    const cfg = JSON.parse(read('deploy/config.example.json')) as Obj;
    expect(Object.keys(cfg)).toEqual(
      expect.arrayContaining([
        'server_url', 'worker_name', 'poll_interval', 'codebases', 'capabilities',
        'max_concurrent', 'opencode_bin', 'redis_url', 'tools', 'enabled_tools', 'default_tool',
      ]),
    );
  });
});

describe('Kubernetes manifests', () => {
  const dir = join(root, 'deploy/k8s');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

  /** Documents of one file: js-yaml if present, else split on `---` and read kind/apiVersion. */
  function docs(file: string): Obj[] {
    const src = readFileSync(join(dir, file), 'utf8');
    if (yaml) return yaml.loadAll(src).filter((d): d is Obj => d !== null && typeof d === 'object');
    return src
      .split(/^---\s*$/m)
      .map((chunk) => ({
        apiVersion: /^apiVersion:\s*(\S+)/m.exec(chunk)?.[1],
        kind: /^kind:\s*(\S+)/m.exec(chunk)?.[1],
        raw: chunk,
      }))
      .filter((d) => d.apiVersion || d.kind);
  }
  const all = () => files.flatMap((f) => docs(f));
  const find = (kind: string, name: string) =>
    all().find((d) => d.kind === kind && (d.metadata?.name === name || (d.raw ?? '').includes(`name: ${name}`)));

  it('every file parses into documents with apiVersion and kind, without a namespace', () => {
    if (!yaml) console.info('deploy-files: js-yaml not found; Kubernetes manifests checked as text only');
    expect(files).toEqual(expect.arrayContaining(['api.yaml', 'worker.yaml', 'secret.example.yaml']));
    for (const file of files) {
      const parsed = docs(file);
      expect(parsed.length).toBeGreaterThan(0);
      for (const d of parsed) {
        expect(typeof d.apiVersion).toBe('string');
        expect(typeof d.kind).toBe('string');
        if (yaml) expect(d.metadata?.namespace).toBeUndefined();
      }
    }
    for (const file of files) expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(/^\s*namespace:/m);
  });

  it('api: 2 replicas, probes on /health/live and /health/ready, env from a Secret, Service', () => {
    const dep = find('Deployment', 'codefleet-api');
    expect(dep).toBeDefined();
    expect(find('Service', 'codefleet-api')).toBeDefined();
    if (!yaml) return;
    expect(dep!.spec.replicas).toBe(2);
    const c = dep!.spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet.path).toBe('/health/live');
    expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(c.envFrom[0].secretRef.name).toBe('codefleet-api');
    expect(find('Secret', 'codefleet-api')).toBeDefined();
  });

  it('worker: StatefulSet named by the pod, PVC for codebases, 45 s grace', () => {
    const sts = find('StatefulSet', 'codefleet-worker');
    expect(sts).toBeDefined();
    if (!yaml) return;
    const pod = sts!.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(45);
    const env = pod.containers[0].env as Obj[];
    expect(env.find((e) => e.name === 'A2A_WORKER_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    expect(env.find((e) => e.name === 'A2A_SERVER_URL')?.value).toBe('http://codefleet-api:8000');
    const claims = (sts!.spec.volumeClaimTemplates as Obj[]).map((v) => v.metadata.name);
    expect(claims).toContain('codebases');
    const mounts = pod.containers[0].volumeMounts as Obj[];
    expect(mounts.find((m) => m.name === 'codebases')?.mountPath).toBe('/codebases');
    expect(find('Secret', 'codefleet-worker')).toBeDefined();
    const cm = find('ConfigMap', 'codefleet-worker-config');
    expect(() => JSON.parse(cm!.data['config.json'])).not.toThrow();
  });
});

describe('monitoring', () => {
  it('prometheus scrapes the api', () => {
    const src = read('deploy/prometheus/prometheus.yml');
    expect(src).toMatch(/targets: \["api:8000"\]/);
    expect(src).toMatch(/metrics_path: \/metrics/);
    if (yaml) expect(yaml.load(src)).toHaveProperty('scrape_configs');
  });

  it('grafana provisioning parses and the dashboard uses every codefleet metric', () => {
    const provisioning = join(root, 'deploy/grafana/provisioning');
    for (const sub of ['datasources', 'dashboards']) {
      const found = readdirSync(join(provisioning, sub)).filter((f) => f.endsWith('.yml'));
      expect(found.length).toBeGreaterThan(0);
      if (yaml) for (const f of found) expect(yaml.load(readFileSync(join(provisioning, sub, f), 'utf8'))).toHaveProperty('apiVersion', 1);
    }
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/codefleet.json')) as Obj;
    const exprs = (dashboard.panels as Obj[]).flatMap((p) => (p.targets as Obj[]).map((t) => String(t.expr))).join('\n');
    for (const metric of METRICS) expect(exprs).toContain(metric);
    expect(read('deploy/grafana/provisioning/datasources/prometheus.yml')).toContain('uid: prometheus');
  });
});
