// RFC 9457 problem details: every 4xx and 5xx the service sends is application/problem+json
// naming what is wrong and, for invalid fields, where (`errors[].pointer`).
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { problemInstance } from './requestId.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
// A URN: problem types are identifiers; their meaning is documented in the README.
const PROBLEM_BASE = 'urn:educred:problem:';

export interface FieldError {
  /** JSON Pointer (RFC 6901) into the request body. */
  pointer: string;
  detail: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  toBody(): ProblemBody {
    return { type: PROBLEM_BASE + this.slug, title: this.title, status: this.status, detail: this.detail, ...this.extensions };
  }
}

export function problemResponse(c: Context, problem: HttpProblem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify({ ...problem.toBody(), ...problemInstance(c) }), problem.status, { 'Content-Type': PROBLEM_CONTENT_TYPE, ...headers });
}

export const badRequest = (detail: string, errors?: FieldError[]): HttpProblem =>
  new HttpProblem(400, 'invalid-request', 'Invalid request', detail, errors ? { errors } : {});
export const notFound = (detail: string): HttpProblem => new HttpProblem(404, 'not-found', 'Not found', detail);
export const unprocessable = (slug: string, title: string, detail: string, extensions: Record<string, unknown> = {}): HttpProblem =>
  new HttpProblem(422, slug, title, detail, extensions);
