// The JSON Schemas of educred's framework format and of the side file of mastery rules for a CASE
// import (docs/frameworks.md documents both; docs/framework.schema.json is this schema, kept
// equal by a test). The loaders enforce them with ajv before they check what a schema cannot say.
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import { SETTINGS } from './framework.js';
import type { FrameworkProblem } from './errors.js';

/** Codes appear in URLs and URL fragments: letters, digits and `.`, `_`, `~`, `-` (RFC 3986 unreserved). */
export const CODE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._~-]{0,99}$';

const levelCode = { type: 'string', pattern: CODE_PATTERN };

export const MASTERY_RULE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['minObservations', 'minLevel'],
  properties: {
    minObservations: { type: 'integer', minimum: 0, maximum: 1000 },
    minLevel: levelCode,
    distinctDates: { type: 'boolean' },
    minObservers: { type: 'integer', minimum: 1, maximum: 100 },
    minInSetting: {
      type: 'object',
      propertyNames: { enum: [...SETTINGS] },
      additionalProperties: { type: 'integer', minimum: 1, maximum: 1000 },
    },
    assessment: {
      type: 'object',
      additionalProperties: false,
      required: ['minPercent'],
      properties: { minPercent: { type: 'number', minimum: 0, maximum: 100 } },
    },
    awardLevels: { type: 'array', minItems: 1, uniqueItems: true, items: levelCode },
  },
} as const;

export const FRAMEWORK_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  $id: 'urn:educred:schema:framework:1',
  title: 'educred competency framework',
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'rubric', 'competencies'],
  properties: {
    code: { type: 'string', pattern: CODE_PATTERN },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 4000 },
    rubric: {
      description: 'The rubric levels, lowest first.',
      type: 'array',
      minItems: 2,
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'description'],
        properties: {
          code: levelCode,
          name: { type: 'string', minLength: 1, maxLength: 100 },
          description: { type: 'string', minLength: 1, maxLength: 2000 },
        },
      },
    },
    masteryRule: { ...MASTERY_RULE_SCHEMA, description: 'The rule of every competency that states none.' },
    competencies: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'name', 'description', 'criteria'],
        properties: {
          code: { type: 'string', pattern: CODE_PATTERN },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          description: { type: 'string', minLength: 1, maxLength: 4000 },
          criteria: { type: 'string', minLength: 1, maxLength: 4000 },
          masteryRule: MASTERY_RULE_SCHEMA,
          image: { type: 'string', format: 'uri', pattern: '^https://' },
          tags: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 100 } },
        },
      },
    },
  },
} as const;

/** The side file of a CASE import: the framework's code, and the mastery rules of its items. */
export const CASE_RULES_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  $id: 'urn:educred:schema:case-rules:1',
  title: 'educred mastery rules for a CASE import',
  type: 'object',
  additionalProperties: false,
  properties: {
    code: { type: 'string', pattern: CODE_PATTERN },
    masteryRule: { ...MASTERY_RULE_SCHEMA, description: 'The rule of every item the file names no rule for.' },
    competencies: {
      description: 'Rules by humanCodingScheme.',
      type: 'object',
      additionalProperties: MASTERY_RULE_SCHEMA,
    },
    itemTypes: {
      description: 'Only items of these CFItemType values become competencies.',
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
    },
  },
} as const;

/**
 * The shape of a CASE 1.0 CFPackage this import reads (the 1EdTech CASE Service 1.0 information
 * model: CFPackage, CFDocument, CFItem, CFAssociation, CFRubric, CFRubricCriterion,
 * CFRubricCriterionLevel). Required are the attributes the model requires of what is read; other
 * attributes pass through. Dates are not format-checked: real exports (OpenSALT's, for one)
 * write `lastChangeDateTime` without a time zone, and nothing here depends on it; for the same
 * reason `sequenceNumber` may be a string of digits.
 */
const link = { type: 'object', required: ['uri'], properties: { uri: { type: 'string' }, identifier: { type: 'string' }, title: { type: 'string' } } };
export const CASE_PACKAGE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  $id: 'urn:educred:schema:case-package-read:1',
  type: 'object',
  required: ['CFDocument'],
  properties: {
    CFDocument: {
      type: 'object',
      required: ['identifier', 'uri', 'creator', 'title', 'lastChangeDateTime'],
      properties: {
        identifier: { type: 'string', minLength: 1 },
        uri: { type: 'string', minLength: 1 },
        creator: { type: 'string' },
        title: { type: 'string', minLength: 1 },
        description: { type: 'string' },
      },
    },
    CFItems: {
      type: 'array',
      maxItems: 5000,
      items: {
        type: 'object',
        required: ['identifier', 'fullStatement', 'uri', 'lastChangeDateTime'],
        properties: {
          identifier: { type: 'string', minLength: 1 },
          uri: { type: 'string', minLength: 1 },
          fullStatement: { type: 'string', minLength: 1 },
          humanCodingScheme: { type: 'string' },
          abbreviatedStatement: { type: 'string' },
          CFItemType: { type: 'string' },
          notes: { type: 'string' },
          conceptKeywords: { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
        },
      },
    },
    CFAssociations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['identifier', 'associationType', 'uri', 'originNodeURI', 'destinationNodeURI', 'lastChangeDateTime'],
        properties: {
          associationType: { type: 'string' },
          // An integer in the model; real exports (OpenSALT's) also write it as a string of digits.
          sequenceNumber: { oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]{1,9}$' }] },
          originNodeURI: link,
          destinationNodeURI: link,
        },
      },
    },
    CFRubrics: {
      type: 'array',
      items: {
        type: 'object',
        required: ['identifier', 'uri', 'lastChangeDateTime'],
        properties: {
          CFRubricCriteria: {
            type: 'array',
            items: {
              type: 'object',
              required: ['identifier', 'uri', 'lastChangeDateTime'],
              properties: {
                CFItemURI: link,
                position: { type: 'integer' },
                CFRubricCriterionLevels: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['identifier', 'uri', 'lastChangeDateTime'],
                    properties: {
                      quality: { type: 'string' },
                      description: { type: 'string' },
                      feedback: { type: 'string' },
                      score: { type: 'number' },
                      position: { type: 'integer' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

let ajv: Ajv2019 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(schema: { $id: string }): ValidateFunction {
  let validate = compiled.get(schema.$id);
  if (!validate) {
    // `format: uri` on images only; formats beyond it would need ajv-formats for one pattern.
    ajv ??= new Ajv2019({ allErrors: true, strict: true, strictRequired: false, formats: { uri: /^[a-z][a-z0-9+.-]*:\S+$/i } });
    validate = ajv.compile(schema);
    compiled.set(schema.$id, validate);
  }
  return validate;
}

const problemOf = (e: ErrorObject): FrameworkProblem => ({
  pointer: e.instancePath,
  message:
    e.keyword === 'additionalProperties'
      ? `must not have the property '${String((e.params as { additionalProperty: string }).additionalProperty)}'`
      : (e.message ?? 'is invalid'),
});

/** The problems of `value` against one of the schemas above (empty: valid). */
export function schemaProblems(schema: { $id: string }, value: unknown): FrameworkProblem[] {
  const validate = validator(schema);
  if (validate(value)) return [];
  // propertyNames reports twice (the name and the object); keep distinct messages only.
  const seen = new Set<string>();
  return (validate.errors ?? []).map(problemOf).filter((p) => {
    const key = `${p.pointer} ${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
