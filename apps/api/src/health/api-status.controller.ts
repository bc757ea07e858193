import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/public.decorator';
import { agentPaths } from '../common/api-paths';

/** The connectivity check the worker docs use (`curl -I .../v1/agent/status`). */
@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller(agentPaths('status'))
export class ApiStatusController {
  @Get()
  @ApiOperation({ summary: 'Connectivity check', description: 'Answers 200 without a token; says nothing about dependencies (see /health/ready).' })
  @ApiOkResponse({ schema: { example: { status: 'ok', service: 'codefleet-api' } } })
  status(): { status: 'ok'; service: string } {
    return { status: 'ok', service: 'codefleet-api' };
  }
}
