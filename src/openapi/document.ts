// Builds the OpenAPI 3.1 document from the route table (src/openapi/routes.ts): request bodies
// are the routes' own zod schemas, answers the named schemas of src/openapi/schemas.ts, both
// turned into JSON Schema 2020-12, which OpenAPI 3.1 uses as is (OAS 3.1 §4.8.24).
import { z } from 'zod';
import { ROUTES, type ParamDoc, type ResponseDoc, type RouteDoc } from './routes.js';
import { responseSchemas } from './schemas.js';

type Json = Record<string, unknown>;

const COMPONENT = '#/components/schemas/';

/** Points `#/$defs/<id>` of a named schema at its component and drops the local copy. */
function toComponentRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toComponentRefs);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) out[key] = COMPONENT + value.slice('#/$defs/'.length);
    else if (key === '$defs') continue;
    else out[key] = toComponentRefs(value);
  }
  return out;
}

/** The JSON Schema of a zod schema: a `$ref` to its component when it is a named one. */
export function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const named = responseSchemas.get(schema);
  if (named) return { $ref: COMPONENT + named.id };
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', metadata: responseSchemas }) as Json;
  return toComponentRefs(rest) as Json;
}

function componentSchemas(): Json {
  const { schemas } = z.toJSONSchema(responseSchemas, { io: 'output', unrepresentable: 'any', uri: (id) => COMPONENT + id }) as { schemas: Record<string, Json> };
  return Object.fromEntries(
    Object.entries(schemas)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, { $schema: _dialect, $id: _id, ...rest }]) => [id, rest]),
  );
}

const isJson = (media: string): boolean => /(^application\/([a-z.+-]*\+)?json$)/.test(media);

const headerObject = (h: ParamDoc): Json => ({
  description: h.description,
  schema: h.schema ?? { type: 'string' },
  ...(h.example !== undefined ? { example: h.example } : {}),
});

function response(route: RouteDoc, status: string, doc: string | ResponseDoc): Json {
  const r: ResponseDoc = typeof doc === 'string' ? { description: doc } : doc;
  const ok = status.startsWith('2');
  const out: Json = { description: r.description };
  if (r.headers && r.headers.length > 0) out.headers = Object.fromEntries(r.headers.map((h) => [h.name, headerObject(h)]));
  if (status === '204' || status === '304') return out;
  const media = r.produces ?? (ok ? (route.produces ?? 'application/json') : 'application/problem+json');
  const content: Json = {};
  if (r.schema) content[media] = { schema: schemaOf(r.schema, 'output') };
  else if (!ok) content[media] = { schema: { $ref: `${COMPONENT}Problem` } };
  // A body that is not JSON (an image, a page) is described by its media type (JSON Schema §8.4).
  else if (!isJson(media)) content[media] = { schema: { type: 'string', contentMediaType: media } };
  if (r.html) content['text/html'] = { schema: { type: 'string', contentMediaType: 'text/html' } };
  if (Object.keys(content).length > 0) out.content = content;
  return out;
}

function parameters(route: RouteDoc): Json[] {
  const path = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const param = (where: 'query' | 'header') => (p: ParamDoc) => ({
    name: p.name,
    in: where,
    description: p.description,
    required: p.required ?? false,
    schema: p.schema ?? { type: 'string' },
    ...(p.example !== undefined ? { example: p.example } : {}),
  });
  return [...path, ...(route.query ?? []).map(param('query')), ...(route.headers ?? []).map(param('header'))];
}

function requestBody(route: RouteDoc): Json | undefined {
  if (!route.body && !route.csv) return undefined;
  const content: Json = route.body
    ? { 'application/json': { schema: schemaOf(route.body, 'input'), ...(route.example !== undefined ? { example: route.example } : {}) } }
    : {};
  if (route.csv) {
    content['text/csv'] = {
      schema: { type: 'string', contentMediaType: 'text/csv', description: `A header row, then ${route.csv.rows ?? 'one award per row'}. Columns: ${Object.keys(route.csv.columns).join(', ')}.` },
      example: route.csv.example,
    };
  }
  return { required: route.bodyRequired ?? true, content };
}

function operation(route: RouteDoc): Json {
  const responses = Object.fromEntries(Object.entries(route.responses).map(([status, doc]) => [status, response(route, status, doc)]));
  const params = parameters(route);
  const body = requestBody(route);
  return {
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.scope ? { security: [{ bearer: [route.scope] }] } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

export const WELL_KNOWN_DID = '/.well-known/did.json';

/**
 * The document of this instance. `didDocumentPath` is where a path-form did:web serves its DID
 * document (did:web §3.2: `did:web:example.edu:programs:east` → `/programs/east/did.json`),
 * which replaces `/.well-known/did.json`, so the document lists the route the server mounts.
 */
export function buildOpenApiDocument(baseUrl: string, routes: readonly RouteDoc[] = ROUTES, options: { didDocumentPath?: string } = {}): Json {
  const paths: Record<string, Json> = {};
  const didPath = options.didDocumentPath ?? WELL_KNOWN_DID;
  for (const route of routes) {
    const path = route.path === WELL_KNOWN_DID ? didPath : route.path;
    (paths[path] ??= {})[route.method] = operation({ ...route, path });
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'educred',
      version: '0.1.0',
      description:
        'Issue and verify Open Badges 3.0 verifiable credentials for educator competencies.\n\n' +
        '- Admin routes need `Authorization: Bearer <token>` with the scope named in their security requirement.\n' +
        '- Errors are RFC 9457 problem details (`application/problem+json`) naming the field.\n' +
        '- Public documents (credentials, badge images, status lists, DID documents, achievements, frameworks) and the verify API are readable from any web origin (CORS, no credentials); token routes are not.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: baseUrl }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token; scopes: issue, revoke, admin (admin holds all)' } },
    },
  };
}
