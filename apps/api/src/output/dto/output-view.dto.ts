import { ApiProperty } from '@nestjs/swagger';
import type { OutputChunkView, TaskOutputResponse } from '#contracts';

export class OutputChunkViewDto implements OutputChunkView {
  @ApiProperty({ example: 0 }) offset: number;
  @ApiProperty({ example: 'Running tests...\n' }) data: string;
}

export class TaskOutputResponseDto implements TaskOutputResponse {
  @ApiProperty({ example: 'task_k3j5m2n4p6q7r8s9' }) task_id: string;
  @ApiProperty({ example: 0, description: 'The offset asked for' }) offset: number;
  @ApiProperty({ example: 17, description: 'Ask from here for more' }) next_offset: number;
  @ApiProperty({ example: 17 }) output_bytes: number;
  @ApiProperty({ example: false }) output_truncated: boolean;
  @ApiProperty({ type: [OutputChunkViewDto] }) chunks: OutputChunkViewDto[];
}

export class OutputChunkAckDto {
  @ApiProperty({ example: 'task_k3j5m2n4p6q7r8s9' }) task_id: string;
  @ApiProperty({ example: 0 }) offset: number;
  @ApiProperty({ example: 17, description: 'offset + byte length of the chunk' }) next_offset: number;
  @ApiProperty({ example: true, description: 'false when this (task, offset) was already stored: a retry' }) stored: boolean;
}
