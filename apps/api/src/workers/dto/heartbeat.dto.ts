import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import type { HeartbeatRequest, RunningTaskRef } from '#contracts';
import { WorkerResourcesDto } from './worker-resources.dto';
import { PG_INT_MAX } from '../../common/int-bounds';

export class RunningTaskRefDto implements RunningTaskRef {
  @ApiProperty({ example: 'task_k3j5m2n4p6q7r8s9' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  task_id: string;

  @ApiProperty({ example: 1, description: 'The attempt the worker claimed the task at' })
  @IsInt()
  @Min(0)
  @Max(PG_INT_MAX)
  attempt: number;
}

export class HeartbeatDto implements HeartbeatRequest {
  @ApiPropertyOptional({ type: WorkerResourcesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkerResourcesDto)
  resources?: WorkerResourcesDto;

  @ApiPropertyOptional({
    type: [RunningTaskRefDto],
    description: 'Tasks the worker is running now. A task it claimed more than one interval ago and no longer lists fails with worker_lost.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => RunningTaskRefDto)
  running_tasks?: RunningTaskRefDto[];
}
