// The console's frameworks: every loaded framework with its competencies, rubric and mastery
// rules in sentences; an admin imports another (educred framework JSON, or a CASE 1.0 package
// with its rules), as POST /frameworks does.
import { html } from 'hono/html';
import { rubricOf, type CompetencyFramework } from '../../competencies/framework.js';
import { describeRule } from '../../competencies/ruleText.js';
import { may } from '../../console/roles.js';
import type { Program } from '../../programs/program.js';
import type { PageOptions } from '../layout.js';
import { consolePage, csrfField, flash, type Viewer } from './shell.js';

const SOURCE = { 'built-in': 'built in', educred: 'framework JSON', case: 'CASE package' } as const;

export function frameworksPage(viewer: Viewer, state: { frameworks: readonly CompetencyFramework[]; programs: readonly Program[]; achievementName: (code: string) => string; notice?: string | undefined; error?: string | undefined; errors?: string[] | undefined }): PageOptions {
  const programs = html`<h2 id="programs">Programs and their requirements</h2>
${state.programs.map(
  (p) => html`<section class="card"><h3>${p.name}</h3><p class="note">${p.code}${p.builtIn ? ' · built in' : ''} · ${p.autoIssue ? 'the record is issued when the last requirement is met' : 'the record is issued on request'}</p><p>${p.description}</p><p><strong>Completion:</strong> ${p.completion}</p>
<ul>${p.requires.map((r) => html`<li>${state.achievementName(r.achievement)}${r.minLevel ? html` at <strong>${r.minLevel}</strong> or higher` : ''}</li>`)}</ul></section>`,
)}
<p class="note">Programs are created through POST /programs (admin token).</p>`;
  const body = html`<h1>Frameworks and programs</h1>
${flash('notice', state.notice)}${flash('error', state.error)}${state.errors?.length ? html`<ul class="error">${state.errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
${state.frameworks.map(
  (f) => html`<section class="card"><h2>${f.name}</h2><p class="note">${f.code} · ${SOURCE[f.source?.kind ?? 'educred']} · ${f.competencies.length} competencies</p><p>${f.description}</p>
<ul class="plain">${f.competencies.map((c) => {
    const rubric = rubricOf(f, c);
    return html`<li><details><summary>${c.number}. ${c.name}</summary><p>${c.description}</p><p><strong>Rule:</strong> ${describeRule(c.masteryRule)}</p><p><strong>Rubric:</strong> ${rubric.map((l) => l.name ?? l.code).join(' → ')}</p><p class="note">Code: ${c.code}</p></details></li>`;
  })}</ul></section>`,
)}
${
  may(viewer.role, 'administer')
    ? html`<h2>Import a framework</h2>
<form method="post" action="/console/frameworks" enctype="multipart/form-data" class="card">${csrfField(viewer)}
<label for="document">Framework JSON or CASE package (file)</label><input type="file" id="document" name="document" accept=".json,application/json" required>
<label for="rules">Rules for a CASE package (optional file)</label><input type="file" id="rules" name="rules" accept=".json,application/json">
<div class="actions"><button type="submit">Import</button></div>
<p class="note">The format is in docs/frameworks.md. Codes must be new on this service.</p></form>`
    : ''
}
${programs}`;
  return consolePage(viewer, { title: 'Frameworks', screen: 'frameworks', body });
}
