import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_BYTE_OFFSET } from '../../common/int-bounds';

export const DEFAULT_READ_BYTES = 1024 * 1024;
export const MAX_READ_BYTES = 8 * 1024 * 1024;

export class OutputQuery {
  @ApiPropertyOptional({ example: 0, default: 0, description: 'Byte offset to read from' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_BYTE_OFFSET)
  offset?: number;

  @ApiPropertyOptional({ example: DEFAULT_READ_BYTES, default: DEFAULT_READ_BYTES, maximum: MAX_READ_BYTES })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_READ_BYTES)
  limit_bytes?: number;
}

export class StreamQuery {
  @ApiPropertyOptional({ example: 0, description: 'Byte offset to start from (the Last-Event-ID header wins when present)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_BYTE_OFFSET)
  offset?: number;
}
