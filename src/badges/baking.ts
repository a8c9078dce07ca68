// Open Badges 3.0 baking for SVG (OB 3.0 §5.3.2, "SVG"): the `xmlns:openbadges` namespace
// https://purl.imsglobal.org/ob/v3p0 on the <svg> tag, then directly after it one
// <openbadges:credential> element holding the JSON of a credential with an embedded proof in
// CDATA (no `verify` attribute: that is for VC-JWT). Extracting reads the first such element.

export const OB_BAKING_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';

export class BakingError extends Error {}

/** CDATA cannot contain "]]>": split it across two sections (the standard escape). */
const cdata = (text: string): string => `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

export function bakeSvg(svg: string, credential: Record<string, unknown>): string {
  const open = /<svg\b[^>]*>/.exec(svg);
  if (!open) throw new BakingError('Not an SVG image: no <svg> tag');
  if (/<openbadges:credential\b/.test(svg)) throw new BakingError('The SVG already carries a credential');
  const tag = open[0].includes('xmlns:openbadges=') ? open[0] : open[0].replace(/<svg\b/, `<svg xmlns:openbadges="${OB_BAKING_NAMESPACE}"`);
  const element = `<openbadges:credential>${cdata(JSON.stringify(credential))}</openbadges:credential>`;
  return svg.slice(0, open.index) + tag + element + svg.slice(open.index + open[0].length);
}

export type Extracted = { kind: 'json'; credential: unknown } | { kind: 'jwt'; jwt: string };

/**
 * The credential baked into an SVG, or undefined when it carries none. Throws BakingError when
 * the element is there but its content is not JSON.
 */
export function extractFromSvg(svg: string): Extracted | undefined {
  const element = /<openbadges:credential\b([^>]*?)(\/>|>([\s\S]*?)<\/openbadges:credential>)/.exec(svg);
  if (!element) return undefined;
  const verify = /\bverify\s*=\s*"([^"]*)"/.exec(element[1] ?? '')?.[1];
  if (verify) return { kind: 'jwt', jwt: verify };
  const body = element[3] ?? '';
  const sections = [...body.matchAll(/<!\[CDATA\[([\s\S]*?)]]>/g)].map((m) => m[1] ?? '');
  // Without CDATA the JSON is plain element text, where XML escapes apply.
  const text =
    sections.length > 0
      ? sections.join('')
      : body.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  try {
    return { kind: 'json', credential: JSON.parse(text) as unknown };
  } catch (error) {
    throw new BakingError(`The SVG's openbadges:credential element does not hold JSON: ${(error as Error).message}`);
  }
}

/** True when the text looks like an SVG document (the verify page accepts pasted or dropped SVGs). */
export const looksLikeSvg = (text: string): boolean => /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg\b/i.test(text);
