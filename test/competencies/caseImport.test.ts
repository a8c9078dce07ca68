// 1EdTech CASE 1.0 import: a package written by the spec (test/fixtures/frameworks/
// case-clinical-practice.json, with its side file of rules) and a real published export
// (test/fixtures/frameworks/real/, provenance in PROVENANCE.md) load as frameworks whose
// Achievements align to the CASE items, and a badge of one passes the OB 3.0 schema and verifies.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { importCasePackage, isCasePackage } from '../../src/competencies/caseImport.js';
import { FrameworkInvalidError, type FrameworkProblem } from '../../src/competencies/errors.js';
import { BUILT_IN_RUBRIC, DEFAULT_MASTERY_RULE, rubricOf } from '../../src/competencies/framework.js';
import { evaluateCompetency } from '../../src/competencies/progress.js';
import { toAchievement } from '../../src/credentials/achievement.js';
import { masteryEvidence, asInlineObservations } from '../../src/credentials/masteryEvidence.js';
import { buildOpenBadgeCredential } from '../../src/credentials/openBadge.js';
import { openBadgeSchemaProblems } from '../../src/credentials/openBadgeSchemaGate.js';
import { resolveDidKey } from '../../src/signing/did.js';
import { createDocumentLoader } from '../../src/signing/documentLoader.js';
import { createIssuer } from '../../src/signing/issuer.js';
import { generateMultikey, importIssuerKey } from '../../src/signing/keys.js';
import { createVerifyingSuites } from '../../src/signing/suites.js';

type Json = Record<string, any>;
const read = (name: string): Json => JSON.parse(readFileSync(new URL(`../fixtures/frameworks/${name}`, import.meta.url), 'utf8')) as Json;
const pkg = (): Json => read('case-clinical-practice.json');
const rules = (): Json => read('case-clinical-practice.rules.json');

function problemsOf(value: unknown, side?: unknown): FrameworkProblem[] {
  try {
    importCasePackage(value, side, 'test package');
  } catch (error) {
    expect(error).toBeInstanceOf(FrameworkInvalidError);
    return [...(error as FrameworkInvalidError).problems];
  }
  throw new Error('the package imported');
}

describe('CASE import: what it refuses', () => {
  it('refuses a CFDocument without the title the model requires', () => {
    const p = pkg();
    delete p.CFDocument.title;
    expect(problemsOf(p, rules())).toContainEqual({ pointer: '/CFDocument', message: "must have required property 'title'" });
  });

  it('refuses a CFItem without a fullStatement', () => {
    const p = pkg();
    delete p.CFItems[1].fullStatement;
    expect(problemsOf(p, rules())).toContainEqual({ pointer: '/CFItems/1', message: "must have required property 'fullStatement'" });
  });

  it('refuses a humanCodingScheme that cannot be an achievement code, naming the item', () => {
    const p = pkg();
    p.CFItems[2].humanCodingScheme = 'CP 1';
    expect(problemsOf(p)).toContainEqual({
      pointer: '/CFItems/2/humanCodingScheme',
      message: "'CP 1' cannot be an achievement code: letters, digits and . _ ~ - only (it names the Achievement's URL)",
    });
  });

  it('refuses two items with one humanCodingScheme', () => {
    const p = pkg();
    p.CFItems[3].humanCodingScheme = 'CP.1';
    expect(problemsOf(p).map((e) => e.message)).toContain("the humanCodingScheme 'CP.1' appears twice");
  });

  it('refuses a side file that names an item the package does not have, or a property it does not define', () => {
    const side = rules();
    side.competencies['CP.9'] = { minObservations: 1, minLevel: 'proficient' };
    expect(problemsOf(pkg(), side)).toContainEqual({ pointer: '/competencies/CP.9', message: "the side file names 'CP.9', which is no imported item" });
    expect(problemsOf(pkg(), { ...rules(), minimum: 3 })).toEqual([{ pointer: '', message: "must not have the property 'minimum'" }]);
  });

  it("refuses a rule whose level is not on the item's rubric", () => {
    const side = rules();
    side.competencies['CP.3'].awardLevels = ['proficient', 'distinguished'];
    expect(problemsOf(pkg(), side)).toContainEqual({
      pointer: '(mastery rules)/competencies/CP.3/awardLevels/1',
      message: "'distinguished' is not a level of the rubric (developing, proficient, exemplary)",
    });
  });

  it("refuses the default rule when the package's rubric has no level 'proficient', asking for a side file", () => {
    const p = pkg();
    for (const level of p.CFRubrics[0].CFRubricCriteria[0].CFRubricCriterionLevels) level.quality = `${level.quality} practice`;
    expect(problemsOf(p)).toEqual([
      {
        pointer: '/CFRubrics',
        message: "the rubric (not-yet-evident-practice, emerging-practice, proficient-practice, distinguished-practice) has no level 'proficient' for the default rule: give the mastery rules in a side file",
      },
    ]);
  });

  it('refuses a package of which no item has a humanCodingScheme', () => {
    const p = pkg();
    for (const item of p.CFItems) delete item.humanCodingScheme;
    expect(problemsOf(p)).toContainEqual({ pointer: '/CFItems', message: 'no item with a humanCodingScheme to become a competency' });
  });
});

describe('CASE import: a package written by the CASE 1.0 spec', () => {
  it('is told apart from framework JSON by its CFDocument', () => {
    expect(isCasePackage(pkg())).toBe(true);
    expect(isCasePackage(read('program-framework.json'))).toBe(false);
    expect(isCasePackage([pkg()])).toBe(false);
  });

  it('makes each coded item of the chosen types a competency, in the order of the isChildOf tree', () => {
    const { framework, skipped } = importCasePackage(pkg(), rules());
    expect(framework.code).toBe('example-clinical-practice');
    expect(framework.name).toBe('Example Clinical Practice Standards');
    expect(framework.competencies.map((c) => [c.number, c.code, c.name])).toEqual([
      [1, 'CP.1', 'Lessons aligned to objectives'],
      [2, 'CP.2', 'Checks for understanding'],
      [3, 'CP.3', 'Online instruction'],
    ]);
    expect(framework.competencies[1]?.description).toBe(pkg().CFItems[1].fullStatement);
    expect(framework.competencies[1]?.tags).toEqual(['formative assessment']);
    expect(skipped).toEqual([{ identifier: '1b2c3d4e-0001-4a00-8b00-000000000001', reason: "its CFItemType 'Domain' is not one of Standard" }]);
  });

  it('turns the criterion levels into the rubric, lowest score first, and an item criterion into that item’s rubric', () => {
    const { framework } = importCasePackage(pkg(), rules());
    expect(framework.rubric).toEqual([
      { code: 'not-yet-evident', name: 'Not Yet Evident', description: 'Attempted, not yet effective.' },
      { code: 'emerging', name: 'Emerging', description: 'Present and partly effective.' },
      { code: 'proficient', name: 'Proficient', description: 'Consistently effective for the students observed.' },
      { code: 'distinguished', name: 'Distinguished', description: 'Effective for every student observed; a model for peers.' },
    ]);
    const cp3 = framework.competencies[2]!;
    expect(rubricOf(framework, cp3).map((l) => l.code)).toEqual(['developing', 'proficient', 'exemplary']);
    expect(rubricOf(framework, framework.competencies[0]!)).toBe(framework.rubric);
  });

  it('takes rules from the side file: its default, and per humanCodingScheme', () => {
    const { framework } = importCasePackage(pkg(), rules());
    expect(framework.competencies.map((c) => c.masteryRule)).toEqual([rules().masteryRule, rules().competencies['CP.2'], rules().competencies['CP.3']]);
    expect(framework.competencies[2]?.criteria).toBe(
      "At least 2 observed lessons rated 'proficient' or higher on the rubric, on different dates, at least one in an online session. Each of the levels 'proficient', 'exemplary' reached is its own badge.",
    );
  });

  it('without a side file: every coded item, the default rule, the framework code from the document', () => {
    const { framework, skipped } = importCasePackage(pkg());
    expect(framework.code).toBe('case-7a1e2c3d-5b6f-4a70-8c91-0d2e3f405161');
    expect(skipped).toEqual([{ identifier: '1b2c3d4e-0001-4a00-8b00-000000000001', reason: 'it has no humanCodingScheme to be its code' }]);
    // The default rule: 5 observations at 'proficient' or higher, each level from 'proficient' up its own badge.
    expect(framework.competencies.map((c) => c.masteryRule)).toEqual([
      { minObservations: 5, minLevel: 'proficient', awardLevels: ['proficient', 'distinguished'] },
      { minObservations: 5, minLevel: 'proficient', awardLevels: ['proficient', 'distinguished'] },
      { minObservations: 5, minLevel: 'proficient', awardLevels: ['proficient', 'exemplary'] },
    ]);
    expect(importCasePackage(read('real/opensalt-what-standards-could-be.json')).framework.competencies[0]?.masteryRule).toBe(DEFAULT_MASTERY_RULE);
  });

  it("aligns each Achievement to its CASE item: targetType CFItem, targetUrl the item's URI, targetFramework the document title", () => {
    const { framework } = importCasePackage(pkg(), rules());
    const achievement = toAchievement('https://badges.example.edu', framework, framework.competencies[0]!) as Json;
    expect(achievement.humanCode).toBe('CP.1');
    expect(achievement.id).toBe('https://badges.example.edu/achievements/CP.1');
    expect(achievement.alignment).toEqual([
      {
        type: ['Alignment'],
        targetName: 'Lessons aligned to objectives',
        targetDescription: 'The candidate plans and teaches lessons whose every activity serves a stated, measurable objective.',
        targetUrl: 'https://case.example.edu/ims/case/v1p0/CFItems/1b2c3d4e-0002-4a00-8b00-000000000002',
        targetFramework: 'Example Clinical Practice Standards',
        targetCode: 'CP.1',
        targetType: 'CFItem',
      },
    ]);
  });

  it('a badge of an imported competency, counted from observations, passes the OB 3.0 schema and verifies', async () => {
    const { framework } = importCasePackage(pkg(), rules());
    const cp3 = framework.competencies[2]!;
    const history = {
      educatorId: 'ed-1',
      observations: [
        { id: 'o1', educatorId: 'ed-1', date: '2026-03-02', observer: 'Dr. Maya Rivera', setting: 'in-person' as const, ratings: [{ achievement: 'CP.3', level: 'proficient' }] },
        { id: 'o2', educatorId: 'ed-1', date: '2026-03-09', observer: 'Sam Okafor', setting: 'online' as const, ratings: [{ achievement: 'CP.3', level: 'exemplary' }] },
      ],
      assessments: [],
    };
    const [proficient] = evaluateCompetency(cp3, rubricOf(framework, cp3), history);
    expect(proficient?.progress.state).toBe('mastered');
    const keyFile = await generateMultikey();
    const key = await importIssuerKey(keyFile);
    const documentLoader = createDocumentLoader({ resolveDid: resolveDidKey });
    const issuer = createIssuer({ key, suite: 'eddsa-rdfc-2022', documentLoader, name: 'Example Teacher Preparation Program' });
    const unsigned = buildOpenBadgeCredential({
      credentialId: 'https://badges.example.edu/credentials/0b6f3f0e-8d1c-4c59-a0f4-3a1d2b3c4d5e',
      issuer: issuer.profile,
      achievement: toAchievement('https://badges.example.edu', framework, cp3),
      recipient: { kind: 'did', did: 'did:example:candidate-1', name: 'Ana Lopez' },
      observations: asInlineObservations(proficient!.counted!),
      evidence: masteryEvidence(proficient!.counted!),
      achievedLevel: 'proficient',
      validFrom: '2026-03-10T00:00:00Z',
      awardedDate: '2026-03-10T00:00:00Z',
    });
    expect(openBadgeSchemaProblems(unsigned)).toEqual([]);
    const credential = await issuer.sign(unsigned);
    const result = await vc.verifyCredential({ credential, suite: createVerifyingSuites(), documentLoader });
    expect(result.verified, JSON.stringify(result.error)).toBe(true);
    expect((credential as Json).credentialSubject.result[0].achievedLevel).toBe('https://badges.example.edu/achievements/CP.3#level-proficient');
  });
});

describe('CASE import: a real published framework (OpenSALT export, see PROVENANCE.md)', () => {
  it('loads with its real quirks: dates without a time zone, links as strings, sequence numbers as strings', () => {
    const { framework, skipped } = importCasePackage(read('real/opensalt-what-standards-could-be.json'));
    expect(framework.name).toBe('What Standards Could Be');
    expect(framework.competencies).toHaveLength(16);
    expect(skipped).toEqual([]);
    expect(framework.rubric).toBe(BUILT_IN_RUBRIC);
    // The isChildOf tree orders the clusters' standards and components under them.
    expect(framework.competencies.slice(0, 5).map((c) => c.code)).toEqual([
      'CCSS.Math.Content.6.RP.A',
      'CCSS.Math.Content.6.RP.A.1',
      'CCSS.Math.Content.6.RP.A.2',
      'CCSS.Math.Content.6.RP.A.3',
      'CCSS.Math.Content.6.RP.A.3a',
    ]);
  });

  it('its Achievements pass the OB 3.0 schema inside a badge and align to the OpenSALT item URIs', () => {
    const { framework } = importCasePackage(read('real/opensalt-what-standards-could-be.json'));
    for (const competency of framework.competencies) {
      const achievement = toAchievement('https://badges.example.edu', framework, competency);
      const unsigned = buildOpenBadgeCredential({
        credentialId: 'https://badges.example.edu/credentials/0b6f3f0e-8d1c-4c59-a0f4-3a1d2b3c4d5f',
        issuer: { id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', type: ['Profile'], name: 'Example' },
        achievement,
        recipient: { kind: 'did', did: 'did:example:candidate-1' },
        observations: [],
        achievedLevel: 'proficient',
        validFrom: '2026-03-10T00:00:00Z',
        awardedDate: '2026-03-10T00:00:00Z',
      });
      expect(openBadgeSchemaProblems(unsigned)).toEqual([]);
      expect((achievement.alignment as Json[])[0]).toMatchObject({ targetType: 'CFItem', targetFramework: 'What Standards Could Be' });
      expect((achievement.alignment as Json[])[0]?.targetUrl).toMatch(/^http:\/\/opensalt-staging\.opened\.com\/uri\//);
    }
  });
});
