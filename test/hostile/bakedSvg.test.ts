// A baked SVG is read as XML (OB 3.0 §5.3.2: "There MUST be only one <openbadges:credential>
// tag in an SVG"): a credential in a comment or processing instruction is no credential, and an
// image carrying two is refused, so educred never reads a different credential than an XML
// parser would. What educred bakes stays well-formed XML that reads back as the credential.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bakeSvg, BakingError, extractFromSvg, looksLikeSvg, OB_BAKING_NAMESPACE } from '../../src/badges/baking.js';
import { CliError } from '../../src/cli/io.js';
import { readVerifiable } from '../../src/cli/verify.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';

const svg = (inner: string, extra = ''): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="${OB_BAKING_NAMESPACE}"${extra} viewBox="0 0 10 10">${inner}<circle r="4"/></svg>`;
const element = (json: unknown): string => `<openbadges:credential><![CDATA[${JSON.stringify(json)}]]></openbadges:credential>`;

describe('extracting a baked SVG parses it as XML', () => {
  it('ignores a credential inside an XML comment and reads the real element', () => {
    const image = svg(`<!-- ${element({ id: 'urn:fake' })} -->${element({ id: 'urn:real' })}`);
    expect(extractFromSvg(image)).toEqual({ kind: 'json', credential: { id: 'urn:real' } });
  });

  it('ignores a credential inside a processing instruction or an attribute value', () => {
    const image = svg(`<?note ${element({ id: 'urn:fake' })}?><desc title='${element({ id: 'urn:fake2' }).replace(/</g, '&lt;')}'>x</desc>${element({ id: 'urn:real' })}`);
    expect(extractFromSvg(image)).toEqual({ kind: 'json', credential: { id: 'urn:real' } });
  });

  it('finds no credential when the only one is commented out', () => {
    expect(extractFromSvg(svg(`<!-- ${element({ id: 'urn:fake' })} -->`))).toBeUndefined();
  });

  it('refuses an image with two openbadges:credential elements, wherever the second is', () => {
    for (const image of [
      svg(element({ id: 'urn:one' }) + element({ id: 'urn:two' })),
      svg(`${element({ id: 'urn:one' })}<g><g>${element({ id: 'urn:two' })}</g></g>`),
      svg(`${element({ id: 'urn:one' })}<g><ob:credential verify="h.p.s"/></g>`, ` xmlns:ob="${OB_BAKING_NAMESPACE}"`),
    ]) {
      expect(() => extractFromSvg(image)).toThrow(BakingError);
      expect(() => extractFromSvg(image)).toThrow(/carries 2 openbadges:credential elements.*only one/);
    }
  });

  it('reads a credential element under another prefix bound to the OB namespace, and entity-escaped JSON text', () => {
    const image = svg(`<ob:credential>{&quot;id&quot;: &quot;urn:a&amp;b&quot;}</ob:credential>`, ` xmlns:ob="${OB_BAKING_NAMESPACE}"`);
    expect(extractFromSvg(image)).toEqual({ kind: 'json', credential: { id: 'urn:a&b' } });
  });

  it('makes `educred verify` refuse an image with two credentials with its reason (exit 2), not a crash', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'educred-svg-')), 'two.svg');
    writeFileSync(file, svg(element({ id: 'urn:one' }) + element({ id: 'urn:two' })));
    let thrown: unknown;
    try {
      readVerifiable(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).message).toContain('carries 2 openbadges:credential elements');
    expect((thrown as CliError).exitCode).toBe(2);
  });

  it('refuses an image that is not well-formed XML', () => {
    expect(() => extractFromSvg(`<svg xmlns="http://www.w3.org/2000/svg">${element({ id: 'urn:x' })}<g></svg>`)).toThrow(/not well-formed XML/);
  });
});

describe('recognising a pasted SVG', () => {
  it('recognises an SVG after a declaration, comments and a DOCTYPE, and nothing else', () => {
    expect(looksLikeSvg('\n<?xml version="1.0"?>\n<!-- a -->\n<!-- b --><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<SVG xmlns="http://www.w3.org/2000/svg">')).toBe(true);
    expect(looksLikeSvg('<svg/>')).toBe(true);
    for (const text of ['{"a": 1}', '<svgx>', '<!-- unterminated <svg>', '<?xml version="1.0"?><html>', '<g><svg>']) expect(looksLikeSvg(text), text).toBe(false);
  });

  it('answers at once for text of many comments that is no SVG (no exponential backtracking on the public verify page)', () => {
    expect(looksLikeSvg(`${'<!---->'.repeat(50)}x`)).toBe(false);
    expect(looksLikeSvg(`${'<!---->'.repeat(50)}<svg>`)).toBe(true);
  });
});

describe('baking writes valid XML that parses back', () => {
  let t: TestInstance;
  beforeAll(async () => {
    t = await createTestInstance();
  });
  afterAll(async () => t.close());

  it('serves a badge image that an XML parser reads, with exactly one credential element equal to the badge', async () => {
    const awarded = (await (await postJson(t.app, '/awards', awardBody())).json()) as { credential: { id: string } };
    const image = await (await t.app.request(`${new URL(awarded.credential.id).pathname}/badge.svg`)).text();
    expect(XMLValidator.validate(image)).toBe(true);
    const tree = new XMLParser({ ignoreAttributes: false, cdataPropName: '#cdata' }).parse(image) as { svg: Record<string, unknown> };
    const held = tree.svg['openbadges:credential'] as { '#cdata': string };
    expect(Array.isArray(held)).toBe(false);
    expect(JSON.parse(held['#cdata'])).toEqual(awarded.credential);
    expect(extractFromSvg(image)).toEqual({ kind: 'json', credential: awarded.credential });
  });

  it('answers an image with two credentials on the verify page with the form and the reason (400), not a 500', async () => {
    const form = new FormData();
    form.append('document', svg(element({ id: 'urn:one' }) + element({ id: 'urn:two' })));
    const res = await t.app.request('/verify', { method: 'POST', body: form, headers: { Accept: 'text/html' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('carries 2 openbadges:credential elements');
  });

  it('bakes past a commented-out <svg> and keeps "]]>" in the JSON readable', () => {
    const credential = { id: 'urn:x', note: 'ends ]]> and <svg> and -->' };
    const baked = bakeSvg(`<!-- <svg id="old"> --><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>`, credential);
    expect(XMLValidator.validate(baked)).toBe(true);
    expect(extractFromSvg(baked)).toEqual({ kind: 'json', credential });
  });

  it('refuses to bake into an image that already carries a credential, or binds the prefix elsewhere', () => {
    expect(() => bakeSvg(svg(element({ id: 'urn:one' })), { id: 'urn:two' })).toThrow(/already/);
    expect(() => bakeSvg('<svg xmlns:openbadges="https://example.org/other"></svg>', { id: 'urn:x' })).toThrow(/binds the openbadges prefix/);
  });
});
