import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class ListCodebasesQuery {
  @ApiPropertyOptional({ example: 'abc123', description: 'Only codebases of this worker' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  worker_id?: string;
}
