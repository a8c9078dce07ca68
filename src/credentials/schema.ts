// Validates credentials against the official 1EdTech Open Badges 3.0 and CLR 2.0 JSON Schemas pinned in
// contexts/schemas/, before signing (ours) and during verification (anyone's).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { CONTEXTS_DIR } from '../signing/documentLoader.js';
import { OB_ACHIEVEMENT_CREDENTIAL_SCHEMA } from './openBadge.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2019) => Ajv2019;

export const OB_ENDORSEMENT_CREDENTIAL_SCHEMA =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json';
export const OB_PROFILE_SCHEMA = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile_schema.json';
/** The 1EdTech CLR 2.0 ClrCredential schema (provenance: test/fixtures/clr/PROVENANCE.md). */
export const CLR_CREDENTIAL_SCHEMA = 'https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json';

/** Each pinned schema is known under the URL credentials cite and under its own `$id`. */
const PINNED_SCHEMAS: Record<string, string> = {
  [OB_ACHIEVEMENT_CREDENTIAL_SCHEMA]: 'ob_v3p0_achievementcredential_schema.json',
  [OB_ENDORSEMENT_CREDENTIAL_SCHEMA]: 'ob_v3p0_endorsementcredential_schema.json',
  [OB_PROFILE_SCHEMA]: 'ob_v3p0_profile_schema.json',
  [CLR_CREDENTIAL_SCHEMA]: 'clr_v2p0_clrcredential_schema.json',
};

export interface SchemaProblem {
  path: string;
  message: string;
}

export interface SchemaResult {
  valid: boolean;
  problems: SchemaProblem[];
}

let ajv: Ajv2019 | undefined;
const validators = new Map<string, ValidateFunction>();

function compiler(): Ajv2019 {
  if (!ajv) {
    ajv = new Ajv2019({ allErrors: true, strict: false });
    addFormats(ajv);
    for (const file of Object.values(PINNED_SCHEMAS)) {
      ajv.addSchema(JSON.parse(readFileSync(path.join(CONTEXTS_DIR, 'schemas', file), 'utf8')) as object);
    }
  }
  return ajv;
}

/** True when educred holds a pinned copy of the schema a credential cites. */
export function isPinnedSchema(url: string): boolean {
  return url in PINNED_SCHEMAS;
}

function validatorFor(url: string): ValidateFunction {
  let validate = validators.get(url);
  if (!validate) {
    const file = PINNED_SCHEMAS[url];
    if (!file) throw new Error(`No pinned JSON Schema for '${url}'`);
    const schema = JSON.parse(readFileSync(path.join(CONTEXTS_DIR, 'schemas', file), 'utf8')) as { $id: string };
    validate = compiler().getSchema(schema.$id);
    if (!validate) throw new Error(`Schema '${schema.$id}' did not compile`);
    validators.set(url, validate);
  }
  return validate;
}

function describe(error: ErrorObject): SchemaProblem {
  const where = error.instancePath || '/';
  const extra =
    error.keyword === 'required'
      ? ` '${String((error.params as { missingProperty?: string }).missingProperty)}'`
      : error.keyword === 'enum'
        ? ` (${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)})`
        : '';
  return { path: where, message: `${error.message ?? error.keyword}${extra}` };
}

/** Validates a document against one of the pinned 1EdTech schemas, listing every problem. */
export function validateAgainstSchema(url: string, document: unknown): SchemaResult {
  const validate = validatorFor(url);
  const valid = validate(document) as boolean;
  const problems = valid ? [] : (validate.errors ?? []).map(describe);
  // Schemas built from oneOf/anyOf repeat the same complaint; list each once.
  const unique = [...new Map(problems.map((p) => [`${p.path} ${p.message}`, p])).values()];
  return { valid, problems: unique };
}
