// `educred endorse --issuer DID`: a state agency instance signs an OB 3.0 EndorsementCredential
// about a preparation program's issuer (as POST /endorsements does). The program puts the file
// in its EDUCRED_ENDORSEMENTS_DIR and embeds it in every badge it issues from then on.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EndorsementRequestSchema } from '../endorsements/endorsementCredential.js';
import { InvalidEndorsementError, issueEndorsement } from '../endorsements/issueEndorsement.js';
import { closeRuntime, createRuntime } from '../runtime.js';
import { CliError, loadCliConfig, printJson, stderrLogger } from './io.js';

interface EndorseCliOptions {
  issuer: string;
  issuerName?: string;
  name?: string;
  comment?: string;
  validFrom?: string;
  validUntil?: string;
  out?: string;
}

export async function endorseFromCli(options: EndorseCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  const { out: _out, ...fields } = options;
  const parsed = EndorsementRequestSchema.safeParse(fields);
  if (!parsed.success) throw new CliError(parsed.error.issues.map((i) => `--${String(i.path[0] ?? '')}: ${i.message}`).join('\n'));
  const config = loadCliConfig(env);
  const runtime = await createRuntime(config, stderrLogger());
  try {
    return await issueEndorsement({ store: runtime.store, issuer: runtime.issuer, baseUrl: config.baseUrl }, parsed.data, 'cli');
  } catch (error) {
    if (error instanceof InvalidEndorsementError) throw new CliError(`--${error.field}: ${error.message}`, 1, { cause: error });
    throw error;
  } finally {
    await closeRuntime(runtime);
  }
}

export function register(program: Command): void {
  program
    .command('endorse')
    .description("sign an EndorsementCredential about a program's issuer DID (run on the endorsing agency's instance)")
    .requiredOption('--issuer <did>', 'the DID of the program (issuer profile) being endorsed')
    .option('--issuer-name <name>', 'the program as people know it')
    .option('--name <text>', 'title of the endorsement')
    .option('--comment <text>', 'what the endorsement approves (endorsementComment)')
    .option('--valid-from <date-time>', 'start of the endorsement (ISO 8601; default now)')
    .option('--valid-until <date-time>', 'end of the endorsement (ISO 8601); endorsements lapse rather than being revoked')
    .option('--out <file>', 'write the signed endorsement to this file (mode 0644) instead of stdout')
    .action(async (options: EndorseCliOptions) => {
      const credential = await endorseFromCli(options);
      if (options.out) {
        writeFileSync(options.out, JSON.stringify(credential, null, 2) + '\n');
        process.stderr.write(`Endorsement ${String(credential.id)} written to ${options.out}\n`);
      } else printJson(credential);
    });
}
