import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';

/** Swagger UI at /docs and the OpenAPI document at /docs-json (both public). */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Codefleet API')
    .setDescription(
      'Control plane of Codefleet: workers register and heartbeat, codebases live on workers, tasks run agent CLIs where the code is. ' +
        'Every /v1/agent route also answers under /v1/opencode. Errors always have the shape {statusCode, error, message, details?}.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A token from A2A_AUTH_TOKENS or one issued by POST /v1/admin/tokens' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: DOCS_JSON_PATH });
}
