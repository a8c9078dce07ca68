// Which IP addresses the guarded fetcher may connect to: public unicast only. A credential names
// the URLs verification fetches, so without this rule it could point us at loopback services,
// the private network or a cloud metadata endpoint. The ranges come from ipaddr.js (it follows
// the IANA special-purpose registries); this file only decides what to do with its answers.
import ipaddr from 'ipaddr.js';

// NAT64's well-known prefix carries a public IPv4 address on IPv6-only networks (DNS64), so an
// address in it is judged by the IPv4 address inside; 64:ff9b:1::/48 is for local use and refused.
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');
// The deprecated IPv4-compatible form (::a.b.c.d, RFC 4291 2.5.5.1) ipaddr.js calls unicast.
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function lastIPv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  return new ipaddr.IPv4(address.toByteArray().slice(12));
}

/**
 * Why an address is not a public unicast address ('loopback', 'private', 'linkLocal',
 * 'carrierGradeNat', 'uniqueLocal', 'unspecified', 'multicast', 'reserved', …), or undefined when
 * it is one. IPv4 carried in IPv6 (mapped, translated, NAT64) is judged as that IPv4 address.
 * Something that is not an IP address at all is refused as 'invalid'.
 */
export function specialPurposeRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return rangeOf(parsed.range());
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || (range === 'rfc6052' && v6.match(NAT64_WELL_KNOWN))) {
    return rangeOf(lastIPv4(v6).range());
  }
  if (range === 'unicast' && v6.match(IPV4_COMPATIBLE)) return 'ipv4Compatible';
  return rangeOf(range);
}

function rangeOf(range: string): string | undefined {
  return range === 'unicast' ? undefined : range;
}

/** True for an address a public document cannot live on. */
export function isSpecialPurposeAddress(address: string): boolean {
  return specialPurposeRange(address) !== undefined;
}
