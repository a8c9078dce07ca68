// The competency framework as Open Badges 3.0 Achievements at stable, dereferenceable URLs.
import { Hono } from 'hono';
import { findCompetency } from '../competencies/framework.js';
import { frameworkAchievements, frameworkUrl, toAchievement } from '../credentials/achievement.js';
import type { AppDeps } from './deps.js';
import { notFound } from './problem.js';

export function achievementRoutes({ baseUrl, framework }: AppDeps): Hono {
  const app = new Hono();
  const achievements = frameworkAchievements(baseUrl, framework);

  app.get('/achievements', (c) => c.json(achievements));

  app.get('/achievements/:code', (c) => {
    const competency = findCompetency(framework, c.req.param('code'));
    if (!competency) throw notFound(`No achievement '${c.req.param('code')}'; GET /achievements lists them`);
    return c.json(toAchievement(baseUrl, framework, competency));
  });

  app.get('/frameworks/:code', (c) => {
    if (c.req.param('code') !== framework.code) throw notFound(`No framework '${c.req.param('code')}'`);
    return c.json({
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
    });
  });
  return app;
}
