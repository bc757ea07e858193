import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/swagger';
import { MonitorWorkersDto } from '../workers/dto/worker-view.dto';
import { WorkersService } from '../workers/workers.service';

export interface MonitorWorkers {
  workers: { id: string; name: string; status: string; last_heartbeat: string | null; codebases: number; tasks_completed: number }[];
}

@ApiTags('monitor')
@ApiBearerAuth()
@Controller('v1/monitor')
export class MonitorController {
  constructor(private readonly workers: WorkersService) {}

  @Get('workers')
  @ApiOperation({ summary: 'Fleet overview', description: 'One line per worker, as the monitoring docs show it.' })
  @ApiOkResponse({ type: MonitorWorkersDto })
  @ApiErrors()
  async list(): Promise<MonitorWorkers> {
    const workers = await this.workers.list();
    return {
      workers: workers.map((w) => ({
        id: w.id,
        name: w.name,
        status: w.status,
        last_heartbeat: w.last_heartbeat,
        codebases: w.codebases,
        tasks_completed: w.tasks_completed,
      })),
    };
  }
}
