// LinkedIn's "Add to profile" link for a certification (LinkedIn, "Add to Profile for
// Certifications", https://addtoprofile.linkedin.com/): https://www.linkedin.com/profile/add with
// startTask=CERTIFICATION_NAME, name (the certification), organizationId (the issuer's LinkedIn
// page, when known) or organizationName, issueYear and issueMonth, expirationYear and
// expirationMonth (when it expires), certUrl (the credential URL: the public badge page) and
// certId (the credential id). LinkedIn shows the member a pre-filled form; nothing is sent
// before the member saves it.
export interface LinkedInCertification {
  name: string;
  organizationName: string;
  organizationId?: string | undefined;
  issued?: string | undefined;
  expires?: string | undefined;
  certUrl: string;
  certId: string;
}

export function linkedInAddToProfileUrl(cert: LinkedInCertification): string {
  const url = new URL('https://www.linkedin.com/profile/add');
  url.searchParams.set('startTask', 'CERTIFICATION_NAME');
  url.searchParams.set('name', cert.name);
  if (cert.organizationId) url.searchParams.set('organizationId', cert.organizationId);
  else url.searchParams.set('organizationName', cert.organizationName);
  const issued = cert.issued ? new Date(cert.issued) : undefined;
  if (issued && !Number.isNaN(issued.getTime())) {
    url.searchParams.set('issueYear', String(issued.getUTCFullYear()));
    url.searchParams.set('issueMonth', String(issued.getUTCMonth() + 1));
  }
  const expires = cert.expires ? new Date(cert.expires) : undefined;
  if (expires && !Number.isNaN(expires.getTime())) {
    url.searchParams.set('expirationYear', String(expires.getUTCFullYear()));
    url.searchParams.set('expirationMonth', String(expires.getUTCMonth() + 1));
  }
  url.searchParams.set('certUrl', cert.certUrl);
  url.searchParams.set('certId', cert.certId);
  return url.toString();
}
