// The frameworks and programs screen over the same catalog and import function as GET/POST
// /frameworks, and the programs as GET /programs lists them (issue 15).
import { Hono, type Context } from 'hono';
import { FrameworkInvalidError } from '../../competencies/errors.js';
import { importFramework, syncStoredFrameworks } from '../../competencies/frameworkSetup.js';
import { actorOf } from '../../console/sessions.js';
import { frameworksPage } from '../../pages/console/frameworks.js';
import { listPrograms } from '../../programs/issueRecord.js';
import { sendPage } from '../../pages/layout.js';
import { parseJsonBody } from '../body.js';
import type { AppDeps } from '../deps.js';
import { catalogOf } from '../educators.js';
import { HttpProblem } from '../problem.js';
import type { ConsoleEnv, ConsoleGuard } from './session.js';

async function jsonFile(value: unknown, what: string): Promise<unknown> {
  if (!(value instanceof File) || value.size === 0) return undefined;
  try {
    return parseJsonBody(await value.text());
  } catch (error) {
    throw new FrameworkInvalidError(what, [{ pointer: '', message: error instanceof HttpProblem ? error.detail.replace('The request body', 'the file') : 'the file is not JSON' }]);
  }
}

export function consoleFrameworkRoutes(deps: AppDeps, guard: ConsoleGuard): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const catalog = catalogOf(deps);
  const show = async (c: Context<ConsoleEnv>, state: { notice?: string; error?: string; errors?: string[] } = {}, status: 200 | 400 = 200) => {
    await syncStoredFrameworks(deps.store, catalog);
    const achievementName = (code: string): string => catalog.achievement(code)?.competency.name ?? code;
    return sendPage(c, frameworksPage(c.get('viewer'), { frameworks: catalog.frameworks(), programs: await listPrograms(deps.store), achievementName, ...state }), status);
  };

  app.get('/console/frameworks', guard.require('read'), (c) => show(c, { ...(c.req.query('imported') ? { notice: `Framework '${c.req.query('imported')}' imported.` } : {}) }));

  app.post('/console/frameworks', guard.require('administer'), async (c) => {
    const form = c.get('form');
    try {
      const document = await jsonFile(form.document, 'The framework file');
      if (document === undefined) return show(c, { error: 'Choose the framework file.' }, 400);
      const { framework } = await importFramework(deps.store, catalog, document, await jsonFile(form.rules, 'The rules file'), deps.now?.());
      await deps.store.audit.record({ actor: actorOf(c.get('session').person), action: 'framework.imported', subject: `framework:${framework.code}`, detail: { source: framework.source?.kind, competencies: framework.competencies.length } });
      return c.redirect(`/console/frameworks?imported=${encodeURIComponent(framework.code)}`, 303);
    } catch (error) {
      if (error instanceof FrameworkInvalidError) return show(c, { error: error.message, errors: error.problems.slice(0, 20).map((p) => `${p.pointer || '/'}: ${p.message}`) }, 400);
      if (error instanceof Error && 'code' in error) return show(c, { error: error.message }, 400);
      throw error;
    }
  });

  return app;
}
