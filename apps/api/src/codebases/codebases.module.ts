import { Module } from '@nestjs/common';
import { CodebasesController } from './codebases.controller';
import { CodebasesService } from './codebases.service';
import { DeleteCodebaseUseCase } from './usecases/delete-codebase.usecase';
import { RegisterCodebaseUseCase } from './usecases/register-codebase.usecase';

@Module({
  controllers: [CodebasesController],
  providers: [RegisterCodebaseUseCase, DeleteCodebaseUseCase, CodebasesService],
})
export class CodebasesModule {}
