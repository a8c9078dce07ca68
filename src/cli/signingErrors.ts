// Turns what jsonld and @digitalbazaar/vc throw while signing into one sentence a user can act
// on: the context URL the offline loader refused, or the term JSON-LD safe mode could not map.
interface JsonLdErrorLike {
  name?: string;
  message?: string;
  details?: {
    url?: string;
    cause?: { message?: string; code?: string };
    event?: { code?: string; message?: string; details?: { property?: string; value?: unknown } };
  };
}

export function describeSigningError(error: unknown): string {
  const e = error as JsonLdErrorLike;
  const details = e.details;
  if (details?.url && details.cause) {
    if (details.cause.code === 'document_not_allowed') {
      return `Unknown context '${details.url}': the offline document loader serves only the pinned contexts in contexts/ ` +
        '(and those given with --contexts DIR); it never fetches one from the network';
    }
    return `Cannot load '${details.url}': ${details.cause.message ?? 'the document loader refused it'}`;
  }
  if (e.name === 'jsonld.ValidationError' && details?.event) {
    const { event } = details;
    const property = event.details?.property;
    const where = property !== undefined ? ` (term '${property}')` : '';
    return `JSON-LD safe mode refused the document${where}: ${(event.message ?? event.code ?? 'validation error').replace(/\.$/, '')}. ` +
      'Every property must be defined by one of the document\'s contexts.';
  }
  return e.message ?? String(error);
}
