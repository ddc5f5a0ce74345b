import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthChecks } from './health-checks';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

/** GET /api/health (summary), /api/health/live and /api/health/ready; other modules add readiness checks. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [HealthService, HealthChecks],
  exports: [HealthChecks],
})
export class HealthModule {}
