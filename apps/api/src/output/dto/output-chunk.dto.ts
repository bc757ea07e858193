import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';
import type { OutputChunkRequest } from '#contracts';
import { WORKER_ID_PATTERN } from '../../workers/dto/register-worker.dto';
import { MAX_BYTE_OFFSET, PG_INT_MAX } from '../../common/int-bounds';

export const MAX_CHUNK_BYTES = 1024 * 1024;

export class OutputChunkDto implements OutputChunkRequest {
  @ApiProperty({ example: 'abc123' })
  @IsString()
  @Matches(WORKER_ID_PATTERN, { message: 'worker_id is not a valid worker id' })
  worker_id: string;

  @ApiProperty({ example: 1, description: 'The attempt the claim returned' })
  @IsInt()
  @Min(0)
  @Max(PG_INT_MAX)
  attempt: number;

  @ApiProperty({ example: 0, description: 'Byte offset (UTF-8) of this chunk in the task output' })
  @IsInt()
  @Min(0)
  @Max(MAX_BYTE_OFFSET)
  offset: number;

  @ApiProperty({ example: 'Running tests...\n', description: `At most ${MAX_CHUNK_BYTES} bytes of UTF-8` })
  @IsString()
  @IsNotEmpty()
  data: string;
}
