// Reads and validates a JSON request body against a zod schema, turning every failure (not
// JSON, wrong media type, invalid fields) into a 4xx problem that names the field.
import type { Context } from 'hono';
import type { z } from 'zod';
import { badRequest, HttpProblem, type FieldError } from './problem.js';

/** The JSON Pointer (RFC 6901) of a zod issue path. */
export function pointer(path: readonly PropertyKey[]): string {
  return '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ pointer: pointer(issue.path), detail: issue.message }));
}

export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `Send the body as application/json (got '${type || 'none'}')`);
  }
  const text = await c.req.text();
  if (text.trim() === '') throw badRequest('The request body is empty; a JSON object is required');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}

export async function readValidated<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const body = await readJson(c);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const errors = zodFieldErrors(parsed.error);
    throw badRequest(errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '), errors);
  }
  return parsed.data;
}
