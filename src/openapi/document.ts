// Builds the OpenAPI 3.1 document from the route table (src/openapi/routes.ts): request bodies
// are the routes' own zod schemas turned into JSON Schema 2020-12, which OpenAPI 3.1 uses as is.
import { z } from 'zod';
import { ROUTES, type RouteDoc } from './routes.js';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

const PROBLEM_SCHEMA: Json = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', description: 'urn:educred:problem:<slug>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { pointer: { type: 'string' }, detail: { type: 'string' } } } },
  },
};

function operation(route: RouteDoc): Json {
  const responses: Json = {};
  for (const [status, description] of Object.entries(route.responses)) {
    const ok = status.startsWith('2');
    const media = ok ? (route.produces ?? 'application/json') : 'application/problem+json';
    const schema: Json = ok ? (media.startsWith('image/') || media === 'text/html' ? { type: 'string' } : { type: 'object' }) : { $ref: '#/components/schemas/Problem' };
    responses[status] = { description, content: { [media]: { schema } } };
  }
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  return {
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.scope ? { security: [{ bearer: [route.scope] }] } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(baseUrl: string, routes: readonly RouteDoc[] = ROUTES): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'educred',
      version: '0.1.0',
      description:
        'Issue and verify Open Badges 3.0 verifiable credentials for educator competencies. Admin routes need `Authorization: Bearer <token>` with the scope named in their security requirement; errors are RFC 9457 problem details.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: baseUrl }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Problem: PROBLEM_SCHEMA },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token; scopes: issue, revoke, admin (admin holds all)' } },
    },
  };
}
