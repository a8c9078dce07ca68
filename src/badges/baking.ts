// Open Badges 3.0 baking for SVG (OB 3.0 §5.3.2 "SVG", #svg-baking): the `xmlns:openbadges`
// namespace https://purl.imsglobal.org/ob/v3p0 on the <svg> tag, then directly after it one
// <openbadges:credential> element holding the JSON of a credential with an embedded proof in
// CDATA, or (VC-JWT) a `verify` attribute holding the compact JWS. "There MUST be only one
// <openbadges:credential> tag in an SVG."
//
// Extracting parses the image as XML (fast-xml-parser), so a credential inside a comment, a
// processing instruction or an attribute value is not one, and an image carrying more than one
// credential element is refused: a text search and an XML parser could otherwise read two
// different credentials from one picture.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { JsonTextError, parseJson } from '../http/body.js';

export const OB_BAKING_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';

export class BakingError extends Error {}

/** CDATA cannot contain "]]>": split it across two sections (the standard escape). */
const cdata = (text: string): string => `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

const TEXT = '#text';
const CDATA = '#cdata';
const ATTRIBUTES = ':@';
const ATTRIBUTE_PREFIX = '@_';

/** Deeper SVGs are refused (the parser's own guard; real badge images nest a few levels). */
const MAX_NESTED_TAGS = 100;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  cdataPropName: CDATA,
  // Comments, processing instructions and the declaration are not content.
  commentPropName: false,
  ignorePiTags: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  maxNestedTags: MAX_NESTED_TAGS,
});

type XmlNode = Record<string, unknown>;

interface CredentialElement {
  attributes: Record<string, string>;
  children: XmlNode[];
}

const tagOf = (node: XmlNode): string | undefined => Object.keys(node).find((k) => k !== ATTRIBUTES);

function attributesOf(node: XmlNode): Record<string, string> {
  const raw = (node[ATTRIBUTES] ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') out[key.slice(ATTRIBUTE_PREFIX.length)] = value;
  return out;
}

/** Parses the SVG as XML; throws BakingError when it is not well-formed. */
function parseSvg(svg: string): XmlNode[] {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new BakingError(`The SVG is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  try {
    return parser.parse(svg) as XmlNode[];
  } catch (error) {
    throw new BakingError(`The SVG cannot be read as XML: ${(error as Error).message}`);
  }
}

/**
 * Every element that is an OB credential: `openbadges:credential` (the name the spec gives,
 * also when a sloppy baker left the prefix unbound), or `credential` in the OB namespace under
 * any prefix or as the default namespace. Walks without recursion.
 */
function credentialElements(nodes: XmlNode[]): CredentialElement[] {
  const found: CredentialElement[] = [];
  const stack: Array<{ nodes: XmlNode[]; namespaces: Map<string, string> }> = [{ nodes, namespaces: new Map() }];
  while (stack.length > 0) {
    const { nodes: level, namespaces } = stack.pop()!;
    for (const node of level) {
      const tag = tagOf(node);
      if (!tag || tag === TEXT || tag === CDATA) continue;
      const attributes = attributesOf(node);
      let scope = namespaces;
      for (const [name, value] of Object.entries(attributes)) {
        if (name === 'xmlns' || name.startsWith('xmlns:')) {
          if (scope === namespaces) scope = new Map(namespaces);
          scope.set(name === 'xmlns' ? '' : name.slice('xmlns:'.length), value);
        }
      }
      const colon = tag.indexOf(':');
      const prefix = colon === -1 ? '' : tag.slice(0, colon);
      const local = colon === -1 ? tag : tag.slice(colon + 1);
      const children = Array.isArray(node[tag]) ? (node[tag] as XmlNode[]) : [];
      if (tag === 'openbadges:credential' || (local === 'credential' && scope.get(prefix) === OB_BAKING_NAMESPACE)) {
        found.push({ attributes, children });
      }
      stack.push({ nodes: children, namespaces: scope });
    }
  }
  return found;
}

/** The element's character content: its text (entities decoded) and CDATA sections, in order. */
function contentOf(element: CredentialElement): string {
  let text = '';
  for (const child of element.children) {
    if (typeof child[TEXT] === 'string' || typeof child[TEXT] === 'number') text += String(child[TEXT]);
    else if (Array.isArray(child[CDATA])) for (const part of child[CDATA] as XmlNode[]) text += String(part[TEXT] ?? '');
    else if (tagOf(child)) throw new BakingError('The openbadges:credential element holds other elements; it must hold only the credential');
  }
  return text.trim();
}

export type Extracted = { kind: 'json'; credential: unknown } | { kind: 'jwt'; jwt: string };

/**
 * The credential baked into an SVG, or undefined when it carries none. Throws BakingError when
 * the image is not XML, carries more than one credential element, or the element's content is
 * not JSON (parsed through the service's one JSON guard).
 */
export function extractFromSvg(svg: string): Extracted | undefined {
  const elements = credentialElements(parseSvg(svg));
  if (elements.length === 0) return undefined;
  if (elements.length > 1) {
    throw new BakingError(
      `The SVG carries ${elements.length} openbadges:credential elements; Open Badges 3.0 (§5.3.2) allows only one, so which credential the image holds is ambiguous`,
    );
  }
  const element = elements[0]!;
  const verify = element.attributes.verify;
  if (verify !== undefined && verify.trim() !== '') return { kind: 'jwt', jwt: verify.trim() };
  try {
    return { kind: 'json', credential: parseJson(contentOf(element), { what: "The SVG's openbadges:credential element" }) };
  } catch (error) {
    if (error instanceof JsonTextError) throw new BakingError(error.message.replace('is not valid JSON', 'does not hold JSON'));
    throw error;
  }
}

export function bakeSvg(svg: string, credential: Record<string, unknown>): string {
  if (extractFromSvg(svg) !== undefined) throw new BakingError('The SVG already carries a credential');
  // parseSvg (above) accepted the image, so its first <svg tag outside comments is the root's.
  const open = /<svg\b[^>]*>/.exec(svg.replace(/<!--[\s\S]*?-->/g, (c) => ' '.repeat(c.length)));
  if (!open) throw new BakingError('Not an SVG image: no <svg> tag');
  if (open[0].endsWith('/>')) throw new BakingError('The SVG is empty (<svg/>): there is nothing to bake into');
  const declared = /\bxmlns:openbadges\s*=\s*(["'])(.*?)\1/.exec(open[0]);
  if (declared && declared[2] !== OB_BAKING_NAMESPACE) {
    throw new BakingError(`The SVG binds the openbadges prefix to ${declared[2]}, not ${OB_BAKING_NAMESPACE}`);
  }
  const tag = declared ? open[0] : open[0].replace(/^<svg\b/, `<svg xmlns:openbadges="${OB_BAKING_NAMESPACE}"`);
  const element = `<openbadges:credential>${cdata(JSON.stringify(credential))}</openbadges:credential>`;
  const baked = svg.slice(0, open.index) + tag + element + svg.slice(open.index + open[0].length);
  // What we write must read back, with an XML parser, as exactly this credential.
  const back = extractFromSvg(baked);
  if (back?.kind !== 'json' || JSON.stringify(back.credential) !== JSON.stringify(credential)) {
    throw new BakingError('The baked SVG does not read back as the credential');
  }
  return baked;
}

/**
 * True when the text looks like an SVG document (the verify page accepts pasted or dropped SVGs):
 * an optional XML declaration, comments and a DOCTYPE, then `<svg`. A scan, not one regular
 * expression: a regex with a repeated lazy comment group backtracks exponentially on a text of
 * many comments that is no SVG (40 `<!---->` and an `x` would take hours).
 */
export function looksLikeSvg(text: string): boolean {
  let at = 0;
  const skipSpace = (): void => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  skipSpace();
  if (text.startsWith('<?xml', at)) {
    const end = text.indexOf('>', at);
    if (end === -1) return false;
    at = end + 1;
  }
  for (;;) {
    skipSpace();
    if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      if (end === -1) return false;
      at = end + 3;
    } else if (text.slice(at, at + 9).toUpperCase() === '<!DOCTYPE') {
      const end = text.indexOf('>', at);
      if (end === -1) return false;
      at = end + 1;
    } else break;
  }
  return /^<svg\b/i.test(text.slice(at, at + 5));
}
