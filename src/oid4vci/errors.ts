// OID4VCI and OAuth errors as the specifications name them, each with the HTTP status its
// endpoint answers: the token endpoint (RFC 6749 §5.2, OID4VCI 1.0 §6.3), the credential
// endpoint (OID4VCI 1.0 §8.3.1.2) and the bearer token (RFC 6750 §3.1). The HTTP layer sends
// them as `{error, error_description}`: wallets switch on `error`, never on prose.

export type OauthErrorCode =
  | 'invalid_request'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_token'
  | 'invalid_credential_request'
  | 'unknown_credential_configuration'
  | 'unknown_credential_identifier'
  | 'invalid_proof'
  | 'invalid_nonce'
  | 'credential_request_denied';

export class OauthError extends Error {
  constructor(
    readonly error: OauthErrorCode,
    readonly description: string,
    readonly status: 400 | 401 | 403 = error === 'invalid_token' ? 401 : 400,
  ) {
    super(description);
  }

  body(): { error: OauthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}
