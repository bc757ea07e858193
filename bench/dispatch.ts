/**
 * Dispatch latency: from `POST /v1/agent/codebases/:id/tasks` to the agent process starting on
 * the worker, next to raw BullMQ add -> processor start measured in the same run on the same Redis.
 *
 *   npm run build && npm run bench:dispatch -- [samples]
 *
 * Needs PostgreSQL and Redis on 127.0.0.1 (scripts/services.sh). The agent is `/bin/date +%s%N`:
 * the first thing it does is print the time it started, which arrives as the task's output.
 */
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { Fleet } from '../test/e2e/support/fleet';

const samples = Number(process.argv[2] ?? 200);
const nowNs = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

function summary(label: string, valuesMs: number[]): string {
  const sorted = [...valuesMs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return `${label.padEnd(44)} n=${sorted.length}  p50=${at(50).toFixed(2)} ms  p90=${at(90).toFixed(2)} ms  p99=${at(99).toFixed(2)} ms  mean=${mean.toFixed(2)} ms`;
}

async function rawBullmq(redisUrl: string, n: number): Promise<number[]> {
  const prefix = `benchraw${process.pid}`;
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue('raw', { connection, prefix });
  const latencies: number[] = [];
  let resolveNext: () => void = () => undefined;
  let addedAt = 0n;
  const worker = new Worker(
    'raw',
    async () => {
      latencies.push(Number(nowNs() - addedAt) / 1e6);
      resolveNext();
    },
    { connection, prefix },
  );
  await worker.waitUntilReady();
  for (let i = 0; i < n; i++) {
    const started = new Promise<void>((r) => (resolveNext = r));
    addedAt = nowNs();
    await queue.add('job', { i }, { removeOnComplete: true });
    await started;
  }
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return latencies;
}

async function main(): Promise<void> {
  const fleet = await new Fleet(10).start({ LOG_LEVEL: 'warn' });
  try {
    const dir = fleet.codebaseDir('bench');
    await fleet.startWorker('bench-worker', {
      codebases: [{ name: 'bench', path: dir }],
      tools: { stamp: { command: '/bin/date', args: ['+%s%N'] } },
    }, { LOG_LEVEL: 'warn' });
    const { codebases } = await fleet.client.ok('GET', '/v1/agent/codebases?worker_id=bench-worker');
    const codebaseId = codebases[0].id;

    const fromSend: number[] = [];
    const fromReturn: number[] = [];
    const toClaim: number[] = [];
    const claimToAgent: number[] = [];
    const warmup = 10;
    for (let i = 0; i < samples + warmup; i++) {
      const sent = nowNs();
      const task = await fleet.client.ok('POST', `/v1/agent/codebases/${codebaseId}/tasks`, { title: `bench ${i}`, prompt: 'x', tool: 'stamp' });
      const returned = nowNs();
      const done = await fleet.waitForTask(task.id, ['completed', 'failed'], 30_000);
      if (done.status !== 'completed') throw new Error(`task failed: ${JSON.stringify(done)}`);
      const out = await fleet.client.ok('GET', `/v1/agent/tasks/${task.id}/output`);
      const startedNs = BigInt(out.chunks.map((c: { data: string }) => c.data).join('').trim());
      if (i < warmup) continue;
      fromSend.push(Number(startedNs - sent) / 1e6);
      fromReturn.push(Number(startedNs - returned) / 1e6);
      // started_at is stamped by the API when the worker's claim lands (millisecond precision).
      const claimedNs = BigInt(Date.parse(done.started_at)) * 1_000_000n;
      toClaim.push(Number(claimedNs - returned) / 1e6);
      claimToAgent.push(Number(startedNs - claimedNs) / 1e6);
    }
    const raw = await rawBullmq(fleet.redisUrl, samples);

    console.log(`dispatch latency, ${samples} sequential tasks (after ${warmup} warm-up), node ${process.version}`);
    console.log(summary('POST sent -> agent process started', fromSend));
    console.log(summary('POST returned -> agent process started', fromReturn));
    console.log(summary('  of which POST returned -> claim stored (ms res.)', toClaim));
    console.log(summary('  of which claim stored -> agent started (ms res.)', claimToAgent));
    console.log(summary('raw BullMQ add -> processor started', raw));
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    console.log(`ratio p50 (POST returned -> agent) / (raw BullMQ): ${(median(fromReturn) / median(raw)).toFixed(1)}x`);
  } finally {
    await fleet.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
