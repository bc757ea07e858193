import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { WORKER_STATUSES, type WorkerStatus } from '#contracts';

export class ListWorkersQuery {
  @ApiPropertyOptional({ enum: WORKER_STATUSES, description: 'Liveness derived from heartbeat age' })
  @IsOptional()
  @IsIn(WORKER_STATUSES)
  status?: WorkerStatus;
}
