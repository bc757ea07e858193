import { ApiProperty } from '@nestjs/swagger';
import { WORKER_STATUSES, type HeartbeatResponse, type RegisterWorkerResponse, type WorkerStatus, type WorkerView } from '#contracts';
import { AgentToolInfoDto } from './register-worker.dto';
import { RunningTaskRefDto } from './heartbeat.dto';
import { WorkerResourcesDto } from './worker-resources.dto';

export class WorkerViewDto implements WorkerView {
  @ApiProperty({ example: 'abc123' }) id: string;
  @ApiProperty({ example: 'dev-vm-worker' }) name: string;
  @ApiProperty({ example: 'dev-vm.internal', nullable: true, type: String }) hostname: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) role: string | null;
  @ApiProperty({ example: ['opencode', 'build'], type: [String] }) capabilities: string[];
  @ApiProperty({ example: [], type: [String] }) models: string[];
  @ApiProperty({ type: [AgentToolInfoDto] }) agents: AgentToolInfoDto[];
  @ApiProperty({ example: 2 }) max_concurrent: number;
  @ApiProperty({ enum: WORKER_STATUSES, example: 'active' }) status: WorkerStatus;
  @ApiProperty({ example: '2025-12-10T15:30:00.000Z', nullable: true, type: String }) last_heartbeat: string | null;
  @ApiProperty({ type: WorkerResourcesDto, nullable: true }) resources: WorkerResourcesDto | null;
  @ApiProperty({ example: '0.1.0', nullable: true, type: String }) version: string | null;
  @ApiProperty({ example: '2025-12-10T15:00:00.000Z' }) registered_at: string;
  @ApiProperty({ example: 42 }) tasks_completed: number;
  @ApiProperty({ example: 3 }) tasks_failed: number;
  @ApiProperty({ example: 2, description: 'Active codebases on this worker' }) codebases: number;
}

export class WorkerListDto {
  @ApiProperty({ type: [WorkerViewDto] }) workers: WorkerViewDto[];
}

export class RegisterWorkerResponseDto implements RegisterWorkerResponse {
  @ApiProperty({ type: WorkerViewDto }) worker: WorkerViewDto;
  @ApiProperty({ example: 10, description: 'Send a heartbeat this often' }) heartbeat_interval_s: number;
  @ApiProperty({ example: 60, description: 'Sync agent sessions this often' }) session_sync_interval_s: number;
  @ApiProperty({ example: 'redis://redis:6379', nullable: true, type: String, description: 'Set when the server shares its Redis URL (SHARE_REDIS_URL)' })
  redis_url: string | null;
  @ApiProperty({ example: 'bull', description: 'BullMQ key prefix; also the pub/sub channel namespace when not "bull"' }) queue_prefix: string;
}

export class CodebaseRefDto {
  @ApiProperty({ example: 'cb_k3j5m2n4p6q7r8s9' }) id: string;
  @ApiProperty({ example: 'my-project' }) name: string;
  @ApiProperty({ example: '/home/user/my-project' }) path: string;
}

export class HeartbeatResponseDto implements HeartbeatResponse {
  @ApiProperty({ enum: WORKER_STATUSES, example: 'active' }) status: WorkerStatus;
  @ApiProperty({ type: [RunningTaskRefDto], description: 'Running tasks the worker must stop' }) cancels: RunningTaskRefDto[];
  @ApiProperty({ type: [CodebaseRefDto], description: 'The codebases this worker owns: it consumes exactly these queues' }) codebases: CodebaseRefDto[];
  @ApiProperty({ example: 10 }) heartbeat_interval_s: number;
}

export class MonitorWorkerDto {
  @ApiProperty({ example: 'abc123' }) id: string;
  @ApiProperty({ example: 'dev-vm-worker' }) name: string;
  @ApiProperty({ enum: WORKER_STATUSES, example: 'active' }) status: WorkerStatus;
  @ApiProperty({ example: '2025-12-10T15:30:00.000Z', nullable: true, type: String }) last_heartbeat: string | null;
  @ApiProperty({ example: 2 }) codebases: number;
  @ApiProperty({ example: 42 }) tasks_completed: number;
}

export class MonitorWorkersDto {
  @ApiProperty({ type: [MonitorWorkerDto] }) workers: MonitorWorkerDto[];
}
