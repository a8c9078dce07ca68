// Turns what jsonld-signatures and @digitalbazaar/vc report for a failed proof into one code a
// program can switch on and one sentence a person can read. Their errors nest (a
// VerificationError holds one error per proof) and their messages are written for developers.

type Json = Record<string, unknown>;

export interface ProofFailure {
  code: string;
  reason: string;
}

/** Every error in a result, depth first: top level, nested `errors`, per-proof `results`. */
function collectErrors(value: unknown, found: Array<Error & Json> = [], depth = 0): Array<Error & Json> {
  if (depth > 8 || value === null || typeof value !== 'object') return found;
  const node = value as Json;
  if (value instanceof Error) found.push(value as Error & Json);
  for (const key of ['error', 'errors', 'results', 'cause']) {
    const child = node[key];
    if (Array.isArray(child)) for (const c of child) collectErrors(c, found, depth + 1);
    else if (child) collectErrors(child, found, depth + 1);
  }
  return found;
}

type Rule = { code: string; test: (e: Error & Json) => boolean; reason: (e: Error & Json, purpose: string) => string };

const RULES: Rule[] = [
  {
    code: 'context_not_allowed',
    test: (e) => e.code === 'document_not_allowed' || /not one of the pinned contexts/.test(e.message),
    reason: (e) => e.message,
  },
  {
    code: 'undefined_term',
    test: (e) => /safe mode/i.test(e.message),
    reason: (e) => `The credential uses a term no context defines (${e.message.replace(/^.*?;\s*/, '')}), so its meaning cannot be signed unambiguously.`,
  },
  {
    code: 'key_not_found',
    test: (e) => ['did_not_found', 'did_method_unsupported', 'did_document_invalid', 'key_not_found'].includes(String(e.code)),
    reason: (e) => `The signing key could not be resolved: ${e.message}`,
  },
  {
    code: 'key_not_authorized',
    test: (e) => /not authorized by controller for proof purpose/i.test(e.message),
    reason: (e) => `The signing key is not listed for this purpose in its controller's document (${e.message}).`,
  },
  {
    code: 'signature_invalid',
    test: (e) => /invalid signature/i.test(e.message),
    reason: () => 'The signature does not match the content: the credential was changed after it was signed, or signed with another key.',
  },
  {
    code: 'proof_unsupported',
    test: (e) => /no matching proofs found/i.test(e.message),
    reason: (_e, purpose) => `No proof this verifier accepts (eddsa-rdfc-2022, eddsa-jcs-2022 or Ed25519Signature2020, for ${purpose}) was found.`,
  },
];

/** `purpose`: the proof purpose the proofs were checked for (assertionMethod for credentials). */
export function describeProofError(result: { error?: unknown; results?: unknown }, purpose = 'assertionMethod'): ProofFailure {
  const errors = collectErrors(result);
  for (const rule of RULES) {
    const match = errors.find((e) => rule.test(e));
    if (match) return { code: rule.code, reason: rule.reason(match, purpose) };
  }
  const message = errors.map((e) => e.message).find((m) => m && m !== 'Verification error(s).');
  return { code: 'proof_invalid', reason: `The proof does not verify: ${message ?? 'unknown error'}.` };
}
