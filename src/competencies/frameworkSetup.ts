// The frameworks of an instance: the built-in default, then EDUCRED_FRAMEWORKS_DIR's documents,
// then those a program posted (stored in the `frameworks` table). Several nodes share the stored
// ones: a node picks up a framework another node stored when it is next asked (syncStoredFrameworks).
import type { Repositories } from '../store/store.js';
import type { StoredFramework } from '../store/educators.js';
import { BUILT_IN_FRAMEWORK } from './framework.js';
import { FrameworkCatalog } from './frameworkCatalog.js';
import { loadFrameworkDocument, loadFrameworksDir, type LoadedFramework } from './frameworkFiles.js';

export async function buildFrameworkCatalog(store: Repositories, frameworksDir: string | undefined): Promise<FrameworkCatalog> {
  const catalog = new FrameworkCatalog([BUILT_IN_FRAMEWORK]);
  for (const { framework } of frameworksDir ? loadFrameworksDir(frameworksDir) : []) catalog.add(framework);
  await syncStoredFrameworks(store, catalog);
  return catalog;
}

const loadStored = (stored: StoredFramework): LoadedFramework => loadFrameworkDocument(stored.document, stored.rules, `stored framework '${stored.code}'`);

/** Adds the stored frameworks the catalog does not hold yet (posted on this node or another). */
export async function syncStoredFrameworks(store: Repositories, catalog: FrameworkCatalog): Promise<void> {
  const known = new Set(catalog.frameworks().map((f) => f.code));
  const codes = await store.educators.frameworkCodes();
  if (codes.every((c) => known.has(c))) return;
  for (const stored of await store.educators.frameworks()) {
    if (known.has(stored.code)) continue;
    catalog.add(loadStored(stored).framework);
  }
}

/**
 * Loads a posted framework document, checks it fits the instance (codes unique), stores it and
 * adds it to the catalog. Throws FrameworkInvalidError, FrameworkCodeCollisionError or
 * AchievementCodeCollisionError, and then stores nothing.
 */
export async function importFramework(store: Repositories, catalog: FrameworkCatalog, document: unknown, rules: unknown, now = new Date()): Promise<LoadedFramework> {
  await syncStoredFrameworks(store, catalog);
  const loaded = loadFrameworkDocument(document, rules, 'the posted framework');
  catalog.assertCanAdd(loaded.framework);
  await store.educators.saveFramework({
    code: loaded.framework.code,
    kind: loaded.framework.source?.kind === 'case' ? 'case' : 'educred',
    document,
    ...(rules === undefined ? {} : { rules }),
    createdAt: now.toISOString(),
  });
  catalog.add(loaded.framework);
  return loaded;
}
