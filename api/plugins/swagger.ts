/** The OpenAPI description, generated from the routes' zod schemas, at /docs/json and browsable at /docs. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

async function swaggerPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Order review pipeline',
        version: '1.0.0',
        description:
          'Integrators submit orders; each order is reviewed by the departments its policy names, as one Temporal ' +
          'workflow. Every /v1 request carries `Authorization: Bearer <token>`. Errors are application/problem+json (RFC 9457).',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A principal token (POST /v1/principals)' } },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'orders', description: 'Submit, read, decide, amend and cancel orders' },
        { name: 'master data', description: 'Customers, products, materials and capacity the review checks against' },
        { name: 'principals', description: 'API principals and their roles (admin), and who you are (GET /v1/me, everyone)' },
        { name: 'events', description: 'The event log: a feed, webhooks, notifications' },
        { name: 'insight', description: 'KPIs of a period (JSON or CSV)' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } as Record<string, unknown> });
}

export default fp(swaggerPlugin, { name: 'swagger' });
