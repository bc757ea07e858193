import { Inject, Injectable } from '@nestjs/common';
import type { WorkerStatus, WorkerView } from '#contracts';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { notFound } from '../common/api-error';
import { livenessPolicy } from './liveness-policy';
import { toWorkerView } from './worker-view';
import { WorkerRepository } from './worker.repository';

/** Read side of workers; status is derived from heartbeat age at read time. */
@Injectable()
export class WorkersService {
  constructor(
    private readonly workers: WorkerRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async list(status?: WorkerStatus): Promise<WorkerView[]> {
    const now = new Date();
    const [rows, counts] = await Promise.all([this.workers.list(), this.workers.codebaseCounts()]);
    const views = rows.map((w) => toWorkerView(w, counts.get(w.id) ?? 0, now, livenessPolicy(this.config)));
    return status ? views.filter((v) => v.status === status) : views;
  }

  async get(id: string): Promise<WorkerView> {
    const worker = await this.workers.findById(id);
    if (!worker) throw notFound('worker', id);
    const counts = await this.workers.codebaseCounts();
    return toWorkerView(worker, counts.get(id) ?? 0, new Date(), livenessPolicy(this.config));
  }
}
