// Badge images and OB 3.0 SVG baking: each achievement has a generated image that its
// credentials reference, and a credential baked into the SVG comes back out intact and verifying.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { achievementBadgeSvg, wrapWords } from '../../src/badges/badgeImage.js';
import { bakeSvg, BakingError, extractFromSvg, looksLikeSvg, OB_BAKING_NAMESPACE } from '../../src/badges/baking.js';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from '../../src/credentials/openBadge.js';
import { validateAgainstSchema } from '../../src/credentials/schema.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';
import { awardBody, createTestInstance, postJson, type TestInstance } from '../helpers/app.js';
import { libraryCheckStatus } from '../helpers/status.js';

type Json = Record<string, any>;
let t: TestInstance;
let credential: Json;
beforeAll(async () => {
  t = await createTestInstance();
  credential = ((await (await postJson(t.app, '/awards', awardBody())).json()) as Json).credential;
});
afterAll(async () => t.close());

describe('achievement images', () => {
  it('every achievement references its generated SVG as an OB 3.0 Image, and the SVG is served', async () => {
    const achievements = (await (await t.app.request('/achievements')).json()) as Json[];
    for (const a of achievements) {
      expect(a.image).toEqual({ id: `${a.id}/image.svg`, type: 'Image', caption: `${a.name} badge` });
      const res = await t.app.request(new URL(a.image.id).pathname);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      const svg = await res.text();
      expect(svg).toContain(`<title id="t">${a.name.replace(/&/g, '&amp;')} badge</title>`);
      expect(svg).toMatch(/role="img"/);
    }
    expect((await t.app.request('/achievements/nope/image.svg')).status).toBe(404);
  });

  it('credentials carry the image and still pass the OB 3.0 schema and verify', async () => {
    expect(credential.credentialSubject.achievement.image.type).toBe('Image');
    expect(validateAgainstSchema(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA, credential).valid).toBe(true);
    expect((await vc.verifyCredential({ credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader })).verified).toBe(true);
  });

  it('escapes the name and wraps long names', () => {
    const svg = achievementBadgeSvg({ name: 'Tom & <Jerry> "quotes"', number: 2, frameworkName: 'F' });
    expect(svg).toContain('Tom &amp; &lt;Jerry&gt;');
    expect(svg).not.toContain('<Jerry>');
    expect(wrapWords('Personalized, Blended and Online Learning', 13, 4)).toEqual(['Personalized,', 'Blended and', 'Online', 'Learning']);
  });
});

describe('OB 3.0 SVG baking (§5.3.2)', () => {
  it('GET /credentials/:id/badge.svg embeds the signed credential per the spec; extraction returns it and it verifies', async () => {
    const path = `${new URL(credential.id).pathname}/badge.svg`;
    const res = await t.app.request(path);
    expect(res.status).toBe(200);
    const svg = await res.text();
    expect(svg).toMatch(new RegExp(`^<svg xmlns:openbadges="${OB_BAKING_NAMESPACE}"[^>]*><openbadges:credential><!\\[CDATA\\[`));
    expect(svg.match(/<openbadges:credential/g)).toHaveLength(1);
    expect(svg).not.toContain('verify=');
    const extracted = extractFromSvg(svg);
    expect(extracted).toEqual({ kind: 'json', credential });
    expect((await vc.verifyCredential({ credential: (extracted as Json).credential, suite: createVerifyingSuites(), checkStatus: libraryCheckStatus(t), documentLoader: t.runtime.issuer.documentLoader })).verified).toBe(true);
    expect((await t.app.request('/credentials/nope/badge.svg')).status).toBe(404);
  });

  it('survives "]]>" inside the credential (CDATA split)', () => {
    const tricky = { name: 'a]]>b', nested: { x: ']]>]]>' } };
    const baked = bakeSvg('<svg xmlns="http://www.w3.org/2000/svg"></svg>', tricky);
    expect(extractFromSvg(baked)).toEqual({ kind: 'json', credential: tricky });
  });

  it('reads a VC-JWT from the verify attribute, nothing from an unbaked SVG, and refuses a second bake', () => {
    expect(extractFromSvg('<svg><openbadges:credential verify="h.p.s"></openbadges:credential></svg>')).toEqual({ kind: 'jwt', jwt: 'h.p.s' });
    expect(extractFromSvg('<svg></svg>')).toBeUndefined();
    expect(() => extractFromSvg('<svg><openbadges:credential>not json</openbadges:credential></svg>')).toThrow(BakingError);
    const baked = bakeSvg('<svg></svg>', { a: 1 });
    expect(() => bakeSvg(baked, { a: 2 })).toThrow(/already/);
    expect(looksLikeSvg('<?xml version="1.0"?>\n<svg>')).toBe(true);
    expect(looksLikeSvg('{"a":1}')).toBe(false);
  });
});
