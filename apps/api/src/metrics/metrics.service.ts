import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TaskRow } from '../tasks/task.entity';

type GaugeSource = () => Promise<Record<string, number>>;

/**
 * The API's Prometheus metrics, in a registry of its own (several apps can live in one process,
 * as in tests). Labels are bounded: statuses, queue states, route templates; never ids.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private queueDepthSource: GaugeSource = async () => ({});
  private workersSource: GaugeSource = async () => ({});

  readonly tasksTotal = new Counter({
    name: 'codefleet_tasks_total',
    help: 'Task status transitions, by the status entered',
    labelNames: ['status'],
    registers: [this.registry],
  });

  readonly dispatchLatency = new Histogram({
    name: 'codefleet_dispatch_latency_seconds',
    help: 'Time from a task being queued to a worker claiming it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });

  readonly taskDuration = new Histogram({
    name: 'codefleet_task_duration_seconds',
    help: 'Time from claim to a terminal status',
    labelNames: ['status'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400],
    registers: [this.registry],
  });

  readonly outputBytes = new Counter({
    name: 'codefleet_output_bytes_total',
    help: 'Bytes of task output stored',
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    const self = this;
    new Gauge({
      name: 'codefleet_queue_depth',
      help: 'Jobs in the known queues, by state (collected at scrape)',
      labelNames: ['queue_state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries(await self.queueDepthSource().catch(() => ({})))) this.set({ queue_state: state }, n);
      },
    });
    new Gauge({
      name: 'codefleet_workers',
      help: 'Workers by liveness status (collected at scrape)',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [status, n] of Object.entries(await self.workersSource().catch(() => ({})))) this.set({ status }, n);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  setQueueDepthSource(source: GaugeSource): void {
    this.queueDepthSource = source;
  }

  setWorkersSource(source: GaugeSource): void {
    this.workersSource = source;
  }

  taskEntered(task: TaskRow): void {
    this.tasksTotal.inc({ status: task.status });
    const seconds = (from: Date | null, to: Date | null) => (from && to ? (new Date(to).getTime() - new Date(from).getTime()) / 1000 : null);
    if (task.status === 'running') {
      const latency = seconds(task.queued_at ?? task.created_at, task.started_at);
      if (latency !== null && latency >= 0) this.dispatchLatency.observe(latency);
    } else if (task.status !== 'pending') {
      const duration = seconds(task.started_at, task.finished_at);
      if (duration !== null && duration >= 0) this.taskDuration.observe({ status: task.status }, duration);
    }
  }
}
