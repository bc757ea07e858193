import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { CodebaseView } from '#contracts';
import { agentPaths } from '../common/api-paths';
import { CorrelationId } from '../common/correlation-id';
import type { ApiResponse } from '../common/http-types';
import { ApiErrors } from '../common/swagger';
import { CodebasesService } from './codebases.service';
import { CodebaseListDto, CodebaseViewDto, RegistrationAcceptedDto } from './dto/codebase-view.dto';
import { CreateCodebaseDto } from './dto/create-codebase.dto';
import { ListCodebasesQuery } from './dto/list-codebases.query';
import { UpdateCodebaseDto } from './dto/update-codebase.dto';
import { DeleteCodebaseUseCase } from './usecases/delete-codebase.usecase';
import { RegisterCodebaseUseCase } from './usecases/register-codebase.usecase';
import { UpdateCodebaseUseCase } from './usecases/update-codebase.usecase';

@ApiTags('codebases')
@ApiBearerAuth()
@Controller(agentPaths('codebases'))
export class CodebasesController {
  constructor(
    private readonly registerCodebase: RegisterCodebaseUseCase,
    private readonly updateCodebase: UpdateCodebaseUseCase,
    private readonly deleteCodebase: DeleteCodebaseUseCase,
    private readonly codebases: CodebasesService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register a codebase',
    description:
      'With worker_id: registers (or revives) the codebase on that worker, 201. Without: creates a registration task that the ' +
      'online worker which has the path claims, 202; 400 "No workers available" when no worker is online.',
  })
  @ApiCreatedResponse({ type: CodebaseViewDto, description: 'Registered on the named worker' })
  @ApiAcceptedResponse({ type: RegistrationAcceptedDto, description: 'Registration task created' })
  @ApiErrors(400, 404)
  async create(
    @Body() dto: CreateCodebaseDto,
    @CorrelationId() correlationId: string | null,
    @Res({ passthrough: true }) res: ApiResponse,
  ): Promise<CodebaseView | RegistrationAcceptedDto> {
    const result = await this.registerCodebase.execute(dto, correlationId);
    if (result.kind === 'registered') {
      res.status(201);
      return result.codebase;
    }
    res.status(202);
    return { status: 'pending', task_id: result.task_id, message: result.message };
  }

  @Get()
  @ApiOperation({ summary: 'List codebases', description: 'Deleted codebases are not listed.' })
  @ApiOkResponse({ type: CodebaseListDto })
  @ApiErrors(400)
  async list(@Query() query: ListCodebasesQuery): Promise<{ codebases: CodebaseView[] }> {
    return { codebases: await this.codebases.list(query.worker_id) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one codebase' })
  @ApiParam({ name: 'id', example: 'cb_k3j5m2n4p6q7r8s9' })
  @ApiOkResponse({ type: CodebaseViewDto })
  @ApiErrors(404)
  get(@Param('id') id: string): Promise<CodebaseView> {
    return this.codebases.get(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a codebase',
    description: 'notification_email (null removes it) and description; other fields are fixed. 400 for a bad address.',
  })
  @ApiParam({ name: 'id', example: 'cb_k3j5m2n4p6q7r8s9' })
  @ApiOkResponse({ type: CodebaseViewDto })
  @ApiErrors(400, 404)
  update(@Param('id') id: string, @Body() dto: UpdateCodebaseDto): Promise<CodebaseView> {
    return this.updateCodebase.execute(id, dto);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Remove a codebase', description: 'Soft delete; its pending tasks are cancelled. 409 while a task runs in it.' })
  @ApiParam({ name: 'id', example: 'cb_k3j5m2n4p6q7r8s9' })
  @ApiOkResponse({ type: CodebaseViewDto, description: 'The codebase, now with status deleted' })
  @ApiErrors(404, 409)
  remove(@Param('id') id: string): Promise<CodebaseView> {
    return this.deleteCodebase.execute(id);
  }
}
