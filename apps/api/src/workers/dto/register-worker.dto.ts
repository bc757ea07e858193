import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { AgentToolInfo, RegisterWorkerRequest } from '#contracts';
import { WorkerResourcesDto } from './worker-resources.dto';

/** Worker ids end up in queue and channel names: no ':' and no spaces. */
export const WORKER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class AgentToolInfoDto implements AgentToolInfo {
  @ApiProperty({ example: 'opencode', description: 'Agent CLI name, as used in a task\'s `tool`' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  name: string;

  @ApiPropertyOptional({ example: '1.18.33', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  version?: string | null;

  @ApiPropertyOptional({ example: '/usr/local/bin/opencode', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  bin?: string | null;
}

export class RegisterWorkerDto implements RegisterWorkerRequest {
  @ApiProperty({ example: 'abc123', description: 'Stable id chosen by the worker; registering again with it is an upsert' })
  @IsString()
  @Matches(WORKER_ID_PATTERN, { message: 'worker_id must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit' })
  worker_id: string;

  @ApiProperty({ example: 'dev-vm-worker' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'dev-vm.internal' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  hostname?: string;

  @ApiPropertyOptional({ example: 'code-reviewer', description: 'Routing role for agent discovery' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  role?: string;

  @ApiPropertyOptional({ example: ['opencode', 'build', 'deploy'], type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  capabilities?: string[];

  @ApiPropertyOptional({ example: ['anthropic/claude-sonnet-4-20250514'], type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  models?: string[];

  @ApiPropertyOptional({ type: [AgentToolInfoDto], description: 'Installed agent CLIs; tasks naming another `tool` are refused with 422' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AgentToolInfoDto)
  agents?: AgentToolInfoDto[];

  @ApiPropertyOptional({ example: 2, minimum: 1, maximum: 256 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(256)
  max_concurrent?: number;

  @ApiPropertyOptional({ example: '0.1.0' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  version?: string;

  @ApiPropertyOptional({ type: WorkerResourcesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkerResourcesDto)
  resources?: WorkerResourcesDto;
}
