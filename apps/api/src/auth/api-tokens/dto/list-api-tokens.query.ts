import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class ListApiTokensQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'Also list revoked tokens' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'include_revoked must be true or false' })
  include_revoked?: 'true' | 'false';
}
