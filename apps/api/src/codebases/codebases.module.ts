import { Module } from '@nestjs/common';
import { CodebasesController } from './codebases.controller';
import { CodebasesService } from './codebases.service';
import { RegistrationNotifyAddress } from './registration-notify-address';
import { DeleteCodebaseUseCase } from './usecases/delete-codebase.usecase';
import { RegisterCodebaseUseCase } from './usecases/register-codebase.usecase';
import { UpdateCodebaseUseCase } from './usecases/update-codebase.usecase';

@Module({
  controllers: [CodebasesController],
  providers: [RegisterCodebaseUseCase, UpdateCodebaseUseCase, DeleteCodebaseUseCase, CodebasesService, RegistrationNotifyAddress],
})
export class CodebasesModule {}
