import { statfs } from 'node:fs/promises';
import * as os from 'node:os';
import type { WorkerResources } from '#contracts';

/** CPU, memory and disk of this machine for registration and heartbeats. */
export class ResourceProbe {
  constructor(private readonly diskPath: () => string) {}

  async sample(): Promise<WorkerResources> {
    const cpuCount = os.availableParallelism?.() ?? os.cpus().length;
    const loadAvg = os.loadavg();
    const total = os.totalmem();
    const resources: WorkerResources = {
      cpu_count: cpuCount,
      load_avg: loadAvg.map((l) => Math.round(l * 100) / 100),
      // Load average per core is the portable figure (no sampling interval needed).
      cpu_percent: Math.min(100, Math.round((loadAvg[0] / Math.max(1, cpuCount)) * 1000) / 10),
      memory_total_bytes: total,
      memory_used_bytes: total - os.freemem(),
    };
    try {
      const fs = await statfs(this.diskPath());
      resources.disk_total_bytes = Number(fs.blocks) * Number(fs.bsize);
      resources.disk_free_bytes = Number(fs.bavail) * Number(fs.bsize);
    } catch {
      // Disk figures are optional: a vanished directory must not break a heartbeat.
    }
    return resources;
  }
}
