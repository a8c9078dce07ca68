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

/**
 * How deeply a request body may nest. Real credentials and presentations (with embedded
 * endorsements) stay far below it; a hostile body nested thousands deep would otherwise reach
 * recursive code (schema validation, JSON-LD, structuredClone) and exhaust the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of arrays and objects in a JSON text (strings skipped), in one pass. */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return deepest;
}

/** Parses a JSON request body, refusing what is not JSON or nests too deeply (400). */
export function parseJsonBody(text: string): unknown {
  if (jsonNestingDepth(text) > MAX_JSON_DEPTH) {
    throw badRequest(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}

export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `Send the body as application/json (got '${type || 'none'}')`);
  }
  const text = await c.req.text();
  if (text.trim() === '') throw badRequest('The request body is empty; a JSON object is required');
  return parseJsonBody(text);
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
