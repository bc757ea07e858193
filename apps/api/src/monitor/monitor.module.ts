import { Module } from '@nestjs/common';
import { WorkersModule } from '../workers/workers.module';
import { MonitorController } from './monitor.controller';

@Module({ imports: [WorkersModule], controllers: [MonitorController] })
export class MonitorModule {}
