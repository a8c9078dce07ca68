// Whether this verifier accepts a verified credential's issuer, and by which rule of its trust
// policy: listed directly, or endorsed by an authority the policy lists (the endorsement being
// embedded in the badge, verified, unexpired, unrevoked, and about that very issuer).
import type { CredentialReport, CredentialSummary, TrustDecision } from './report.js';
import { admittingScope, inScope, type TrustPolicy } from './trustPolicy.js';
import type { FederationListing } from './federation.js';
import type { RegistryListing } from './trustRegistries.js';

const label = (party: { id: string; name?: string | undefined }): string => (party.name ? `${party.name} (${party.id})` : party.id);

export function decideTrust(
  summary: CredentialSummary,
  endorsements: CredentialReport[],
  policy: TrustPolicy,
  registry?: (issuer: string) => RegistryListing | undefined,
  federated?: { listing?: FederationListing | undefined; reason?: string | undefined },
): TrustDecision {
  const issuer = summary.issuer?.id;
  const decided = (trusted: boolean, reason: string, extra: Partial<TrustDecision> = {}): TrustDecision => ({ trusted, reason, policy: policy.name, ...extra });
  if (!issuer) return decided(false, 'The credential names no issuer.');
  // Matchers read the achievement's id, humanCode and alignment.
  const achievement = summary.achievement;
  const competency = summary.achievement?.name ?? 'this achievement';

  const direct = policy.trustedIssuers.find((p) => p.id === issuer);
  // `scope`: what the trust covers, so an approval counts the badge only for what it names.
  if (direct && inScope(direct, achievement)) return decided(true, `The issuer ${label(direct)} is on this verifier's list of trusted issuers.`, { via: 'issuer', scope: admittingScope(direct, achievement) });

  // A registry the policy accepts lists the issuer (for everything: a registry has no scopes).
  const listed = direct ? undefined : registry?.(issuer);
  if (listed) return decided(true, `The issuer ${listed.name ? `${listed.name} (${issuer})` : issuer} is listed in the registry ${listed.registry} (${listed.source}), which this verifier accepts.`, { via: 'registry', registry: listed.registry });

  // An OpenID Federation trust chain from the issuer's entity to an anchor the policy pins.
  const chain = direct ? undefined : federated?.listing;
  if (chain)
    return decided(true, `The issuer ${chain.name ? `${chain.name} (${issuer})` : issuer} is the federation entity ${chain.entity}, with a trust chain to the trust anchor ${chain.trustAnchor} (valid until ${chain.expiresAt}) of ${chain.registry}, which this verifier accepts.`, {
      via: 'federation',
      registry: chain.registry,
      federation: { entity: chain.entity, trustAnchor: chain.trustAnchor, expiresAt: chain.expiresAt },
    });

  const reasons: string[] = [];
  if (direct) reasons.push(`the issuer ${label(direct)} is trusted, but not for ${competency}`);
  for (const endorsement of endorsements) {
    const endorserId = endorsement.summary.issuer?.id;
    const endorser = policy.trustedEndorsers.find((p) => p.id === endorserId);
    const who = endorser ? label(endorser) : (endorsement.summary.issuer?.name ?? endorserId ?? 'an unnamed issuer');
    if (!endorser) {
      reasons.push(`it is endorsed by ${who}, which this verifier does not list as an endorsing authority`);
      continue;
    }
    if (!endorsement.verified) {
      const failure = endorsement.checks.find((c) => !c.passed);
      reasons.push(`the endorsement by ${who} does not count: ${failure?.reason ?? 'it does not verify'}`);
      continue;
    }
    if (!endorsement.summary.type.includes('EndorsementCredential') || endorsement.summary.subject !== issuer) {
      reasons.push(`the endorsement by ${who} is not about this issuer (its subject is ${endorsement.summary.subject ?? 'not named'})`);
      continue;
    }
    if (!inScope(endorser, achievement)) {
      reasons.push(`${who} endorses this issuer, but this verifier accepts its endorsements only for other competencies`);
      continue;
    }
    return decided(true, `The issuer is endorsed by ${who}, an endorsing authority this verifier trusts.`, { via: 'endorsement', endorser: endorser.id, scope: admittingScope(endorser, achievement) });
  }
  if (!direct && endorsements.length === 0) reasons.push(`the issuer ${summary.issuer?.name ? `${summary.issuer.name} (${issuer})` : issuer} is not on this verifier's trust list and the badge carries no endorsement`);
  else if (!direct) reasons.unshift(`the issuer ${issuer} is not on this verifier's trust list`);
  if (federated?.reason) reasons.push(`no OpenID Federation trust chain to an anchor it accepts (${federated.reason})`);
  const text = reasons.join('; ');
  return decided(false, `Not trusted: ${text.charAt(0).toLowerCase()}${text.slice(1)}.`);
}
