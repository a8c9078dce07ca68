// Reading console form fields: trimmed text or undefined, and a validation error in one sentence.
import type { z } from 'zod';

export function formText(form: Record<string, string | File>, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** "email: must be an email address" — the first problem, naming the field. */
export function problemText(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'form'}: ${issue.message}` : 'The form is not valid';
}
