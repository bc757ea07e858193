import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiTokenRepository } from './api-tokens/api-token.repository';
import { ApiTokensController } from './api-tokens/api-tokens.controller';
import { ApiTokensService } from './api-tokens/api-tokens.service';
import { BearerAuthGuard } from './bearer-auth.guard';
import { TokenLookup } from './token-lookup';
import { WorkerBindingCheck } from './worker-binding';

@Module({
  controllers: [ApiTokensController],
  providers: [WorkerBindingCheck, ApiTokenRepository, TokenLookup, ApiTokensService, { provide: APP_GUARD, useClass: BearerAuthGuard }],
  exports: [TokenLookup],
})
export class AuthModule {}
