// `educred license`: a state agency instance verifies an application's basis (a presentation or
// one credential, from a file) under one of its approval rules and, when approved, issues the
// licence, as POST /licenses does. Not approved: exit code 2 with each reason on stderr.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { claimLinkFields, ensureClaimLink } from '../claims/claimLink.js';
import { issueLicense, LicenseExistsError, LicenseRequestSchema, NotApprovedError, UnknownLicenseRuleError } from '../licenses/issueLicense.js';
import { closeRuntime, createRuntime } from '../runtime.js';
import { serviceDeps } from '../service.js';
import { CliError, loadCliConfig, printJson, readJsonFile, stderrLogger } from './io.js';

interface LicenseCliOptions {
  applicantName: string;
  applicantEmail?: string;
  applicantDid?: string;
  licenseCode: string;
  licenseName: string;
  licenseDescription?: string;
  rule: string;
  basis: string;
  challenge?: string;
  domain?: string;
  out?: string;
}

const isPresentation = (document: unknown): boolean => {
  const type = (document as { type?: unknown } | null)?.type;
  return type === 'VerifiablePresentation' || (Array.isArray(type) && type.includes('VerifiablePresentation'));
};

export async function licenseFromCli(options: LicenseCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  const document = readJsonFile(options.basis);
  const parsed = LicenseRequestSchema.safeParse({
    applicant: { name: options.applicantName, ...(options.applicantEmail ? { email: options.applicantEmail } : {}), ...(options.applicantDid ? { did: options.applicantDid } : {}) },
    license: { code: options.licenseCode, name: options.licenseName, ...(options.licenseDescription ? { description: options.licenseDescription } : {}) },
    rule: options.rule,
    basis: isPresentation(document) ? { verifiablePresentation: document } : { verifiableCredential: document },
    ...(options.challenge || options.domain ? { options: { ...(options.challenge ? { challenge: options.challenge } : {}), ...(options.domain ? { domain: options.domain } : {}) } } : {}),
  });
  if (!parsed.success) throw new CliError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  const config = loadCliConfig(env);
  const runtime = await createRuntime(config, stderrLogger());
  try {
    const deps = serviceDeps(runtime);
    const { license, decision } = await issueLicense(deps, parsed.data, 'cli');
    return { id: license.id, credential: license.credential, ...claimLinkFields(await ensureClaimLink(deps, license.id)), decision };
  } catch (error) {
    if (error instanceof NotApprovedError) throw new CliError(`not approved under rule '${error.decision.rule}':\n  ${error.decision.missing.map((m) => `${m.requirement}: ${m.reason}`).join('\n  ')}`, 2, { cause: error });
    if (error instanceof UnknownLicenseRuleError || error instanceof LicenseExistsError) throw new CliError(error.message, 1, { cause: error });
    throw error;
  } finally {
    await closeRuntime(runtime);
  }
}

export function register(program: Command): void {
  program
    .command('license')
    .description("verify an application under an approval rule and issue the licence (run on the licensing agency's instance)")
    .requiredOption('--applicant-name <name>', 'the applicant as the licence names them')
    .option('--applicant-email <email>', "the applicant's email (hashed in the licence)")
    .option('--applicant-did <did>', "the applicant's DID (the licence's subject; must be the presentation's holder)")
    .requiredOption('--license-code <code>', 'the licence class (its achievement humanCode), e.g. online-teaching')
    .requiredOption('--license-name <name>', 'the licence as people call it')
    .option('--license-description <text>', 'what the licence authorizes')
    .requiredOption('--rule <id>', 'the approval rule of this agency the application must meet')
    .requiredOption('--basis <file>', 'the verifiable presentation (or one credential, such as a program record) applied with')
    .option('--challenge <text>', 'the challenge the agency gave the applicant (checked on the presentation)')
    .option('--domain <text>', 'the domain the agency gave the applicant (checked on the presentation)')
    .option('--out <file>', 'write the answer (the licence, its claim link, the decision) to this file instead of stdout')
    .action(async (options: LicenseCliOptions) => {
      const answer = await licenseFromCli(options);
      if (options.out) {
        writeFileSync(options.out, JSON.stringify(answer, null, 2) + '\n');
        process.stderr.write(`Licence ${String(answer.id)} written to ${options.out}\n`);
      } else printJson(answer);
    });
}
