import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsNumber, IsOptional, Min } from 'class-validator';
import type { WorkerResources } from '#contracts';

export class WorkerResourcesDto implements WorkerResources {
  @ApiPropertyOptional({ example: 12.5 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  cpu_percent?: number;

  @ApiPropertyOptional({ example: 8 })
  @IsOptional()
  @IsInt()
  @Min(0)
  cpu_count?: number;

  @ApiPropertyOptional({ example: [0.5, 0.4, 0.3], type: [Number] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsNumber({}, { each: true })
  load_avg?: number[];

  @ApiPropertyOptional({ example: 17179869184 })
  @IsOptional()
  @IsInt()
  @Min(0)
  memory_total_bytes?: number;

  @ApiPropertyOptional({ example: 8589934592 })
  @IsOptional()
  @IsInt()
  @Min(0)
  memory_used_bytes?: number;

  @ApiPropertyOptional({ example: 512110190592 })
  @IsOptional()
  @IsInt()
  @Min(0)
  disk_total_bytes?: number;

  @ApiPropertyOptional({ example: 256055095296 })
  @IsOptional()
  @IsInt()
  @Min(0)
  disk_free_bytes?: number;
}
