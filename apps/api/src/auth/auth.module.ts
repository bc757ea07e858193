import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { BearerAuthGuard } from './bearer-auth.guard';
import { WorkerBindingCheck } from './worker-binding';

@Module({
  providers: [WorkerBindingCheck, { provide: APP_GUARD, useClass: BearerAuthGuard }],
})
export class AuthModule {}
