// The competency frameworks as Open Badges 3.0 Achievements at stable, dereferenceable URLs:
// the built-in framework and every framework a program loaded (EDUCRED_FRAMEWORKS_DIR, or
// POST /frameworks with framework JSON or a CASE package; docs/frameworks.md).
import { Hono } from 'hono';
import { isCasePackage } from '../competencies/caseImport.js';
import type { CompetencyFramework } from '../competencies/framework.js';
import { importFramework, syncStoredFrameworks } from '../competencies/frameworkSetup.js';
import { frameworkAchievements, frameworkUrl, toAchievement } from '../credentials/achievement.js';
import { requireScope, type AuthVariables } from './auth.js';
import { readJson } from './body.js';
import type { AppDeps } from './deps.js';
import { catalogOf } from './educators.js';
import { masteryProblem } from './masteryProblems.js';
import { notFound } from './problem.js';
import { achievementPage, frameworkPage } from '../pages/achievementPage.js';
import { sendPage } from '../pages/layout.js';
import { prefersHtml } from './badgePage.js';

function frameworkView(baseUrl: string, framework: CompetencyFramework): Record<string, unknown> {
  const achievements = frameworkAchievements(baseUrl, framework);
  return {
    id: frameworkUrl(baseUrl, framework),
    name: framework.name,
    description: framework.description,
    competencies: framework.competencies.map((k) => ({
      id: `${frameworkUrl(baseUrl, framework)}#${k.code}`,
      number: k.number,
      humanCode: k.code,
      name: k.name,
      description: k.description,
      masteryRule: k.masteryRule,
      achievement: achievements.find((a) => a.humanCode === k.code)?.id,
    })),
  };
}

/**
 * POST /frameworks takes framework JSON, a CASE package (told apart by its `CFDocument`), or a
 * CASE package with its mastery rules: `{"casePackage": {...}, "rules": {...}}`.
 */
function postedDocument(body: unknown): { document: unknown; rules?: unknown } {
  if (typeof body === 'object' && body !== null && !isCasePackage(body) && 'casePackage' in body) {
    const { casePackage, rules } = body as { casePackage: unknown; rules?: unknown };
    return { document: casePackage, ...(rules === undefined ? {} : { rules }) };
  }
  return { document: body };
}

export function achievementRoutes(deps: AppDeps): Hono<{ Variables: AuthVariables }> {
  const { baseUrl } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();
  const catalog = catalogOf(deps);
  const synced = async (): Promise<void> => {
    if (deps.frameworks) await syncStoredFrameworks(deps.store, catalog);
  };

  app.get('/achievements', async (c) => {
    await synced();
    return c.json(catalog.frameworks().flatMap((f) => frameworkAchievements(baseUrl, f)));
  });

  app.get('/achievements/:code', async (c) => {
    await synced();
    const entry = catalog.achievement(c.req.param('code'));
    if (!entry) throw notFound(`No achievement '${c.req.param('code')}'; GET /achievements lists them`);
    const achievement = toAchievement(baseUrl, entry.framework, entry.competency);
    c.header('Vary', 'Accept');
    // A browser opening the achievement id from a badge gets a page; every other client the JSON.
    if (prefersHtml(c.req.header('accept'))) return sendPage(c, achievementPage(achievement as unknown as Record<string, unknown>));
    return c.json(achievement);
  });

  app.get('/frameworks', async (c) => {
    await synced();
    return c.json(
      catalog.frameworks().map((f) => ({
        code: f.code,
        id: frameworkUrl(baseUrl, f),
        name: f.name,
        source: f.source?.kind ?? 'educred',
        competencies: f.competencies.length,
      })),
    );
  });

  app.get('/frameworks/:code', async (c) => {
    await synced();
    const framework = catalog.framework(c.req.param('code'));
    if (!framework) throw notFound(`No framework '${c.req.param('code')}'`);
    c.header('Vary', 'Accept');
    if (prefersHtml(c.req.header('accept'))) return sendPage(c, frameworkPage(frameworkView(baseUrl, framework)));
    return c.json(frameworkView(baseUrl, framework));
  });

  app.post('/frameworks', requireScope(deps.store, 'admin'), async (c) => {
    const { document, rules } = postedDocument(await readJson(c));
    const { framework, skipped } = await importFramework(deps.store, catalog, document, rules, deps.now?.()).catch(masteryProblem);
    await deps.store.audit.record({
      actor: `token:${c.get('token').name}`,
      action: 'framework.imported',
      subject: `framework:${framework.code}`,
      detail: { source: framework.source?.kind, competencies: framework.competencies.length },
    });
    return c.json({ code: framework.code, competencies: framework.competencies.length, ...(skipped.length > 0 ? { skipped } : {}) }, 201, { Location: `/frameworks/${encodeURIComponent(framework.code)}` });
  });

  return app;
}
