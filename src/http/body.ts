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

/** Why a JSON text was refused: it is not JSON, nests too deeply, or is too large. */
export class JsonTextError extends Error {
  constructor(message: string, readonly reason: 'not-json' | 'too-deep' | 'too-large', options?: ErrorOptions) {
    super(message, options);
  }
}

export interface JsonLimits {
  /** Deepest nesting of arrays and objects allowed (default MAX_JSON_DEPTH). */
  maxDepth?: number | undefined;
  /** Largest text allowed, in UTF-8 bytes (default: no limit beyond the caller's own). */
  maxBytes?: number | undefined;
  /** What the text is, for the message: "The request body", "evidence_json", ... */
  what?: string | undefined;
}

/**
 * The one guard for JSON from outside (request bodies, CSV cells, baked images, fetched
 * documents, files given to the CLI): refuses what is too large or nests deeper than
 * `maxDepth` before JSON.parse and the recursive code after it see it, and what is not JSON.
 * Throws JsonTextError; HTTP callers turn it into a 400 (parseJsonBody).
 */
export function parseJson(text: string, limits: JsonLimits = {}): unknown {
  const what = limits.what ?? 'The JSON text';
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  if (limits.maxBytes !== undefined && Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new JsonTextError(`${what} is larger than ${limits.maxBytes} bytes`, 'too-large');
  }
  if (jsonNestingDepth(text) > maxDepth) throw new JsonTextError(`${what} nests deeper than ${maxDepth} levels`, 'too-deep');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new JsonTextError(`${what} is not valid JSON: ${(error as Error).message}`, 'not-json', { cause: error });
  }
}

/** Parses a JSON request body through parseJson, refusing what is not JSON or nests too deeply (400). */
export function parseJsonBody(text: string, what = 'The request body'): unknown {
  try {
    return parseJson(text, { what });
  } catch (error) {
    if (error instanceof JsonTextError) throw badRequest(error.message);
    throw error;
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
