// Makes jsonld copy an active context in proportion to what changes, not to its size. jsonld
// copies the whole active context (every term definition of the VC 2.0 and Open Badges
// contexts, deeply) each time it enters a node with a type-scoped context or reverts from one,
// which happens for every achievement, evidence item, alignment and result of a badge. Measured
// on one core, that copying and its garbage were ~65% of signing one credential (6.4 ms → 1.8 ms
// without it).
//
// Why a shallow copy is exact: jsonld builds a context by copying its parent and then adding,
// replacing or deleting term definitions in the copy's own Map (createTermDefinition always makes
// a new definition object); a definition is never changed once its context is built, and the
// `protected` flags are booleans. So the copy may share definition objects with its parent.
// Everything else is copied as jsonld's own `_cloneActiveContext` does. The patch checks the shape
// it expects and stays out of the way otherwise; test/bulk/contextClone.test.ts canonicalizes
// credentials and hostile documents with and without it and requires identical results.
import contextApi from 'jsonld/lib/context.js';

interface ActiveContext {
  mappings: Map<string, unknown>;
  protected: Record<string, boolean>;
  inverse: unknown;
  previousContext?: ActiveContext;
  clone(this: ActiveContext): ActiveContext;
  getInverse: unknown;
  revertToPreviousContext: unknown;
  [key: string]: unknown;
}

interface ContextApi {
  getInitialContext(options: Record<string, unknown>): ActiveContext;
}

function shallowClone(this: ActiveContext): ActiveContext {
  const child = {
    mappings: new Map(this.mappings),
    clone: this.clone,
    inverse: null,
    getInverse: this.getInverse,
    protected: { ...this.protected },
    revertToPreviousContext: this.revertToPreviousContext,
  } as ActiveContext;
  if (this.previousContext) child.previousContext = this.previousContext.clone();
  if ('@base' in this) child['@base'] = this['@base'];
  if ('@language' in this) child['@language'] = this['@language'];
  if ('@vocab' in this) child['@vocab'] = this['@vocab'];
  return child;
}

const api = contextApi as unknown as ContextApi;
/** The initial contexts jsonld caches (one per processing mode); every active context descends from one and inherits its `clone`. */
const initialContexts = new Set<ActiveContext>();
let deepClone: ActiveContext['clone'] | undefined;
let enabled = true;

function looksAsExpected(context: ActiveContext): boolean {
  return context.mappings instanceof Map && typeof context.clone === 'function' && typeof context.protected === 'object' && context.protected !== null;
}

function apply(context: ActiveContext): ActiveContext {
  if (!looksAsExpected(context)) return context;
  if (context.clone !== shallowClone) deepClone ??= context.clone;
  initialContexts.add(context);
  context.clone = enabled ? shallowClone : (deepClone ?? context.clone);
  return context;
}

/** Turns the shallow copy on (the default once this module is loaded) or off (for comparison). */
export function useShallowContextClone(on: boolean): void {
  enabled = on;
  for (const context of initialContexts) apply(context);
}

/** True when jsonld has the shape this patch expects, so the shallow copy is in effect. */
export function shallowContextCloneActive(): boolean {
  return enabled && deepClone !== undefined;
}

if (typeof api.getInitialContext === 'function') {
  const original = api.getInitialContext;
  // jsonld.js keeps its own reference to getInitialContext, but both return the same cached
  // objects: patch those now, and any created later through the module.
  api.getInitialContext = (options) => apply(original(options));
  for (const processingMode of ['json-ld-1.1', 'json-ld-1.0', undefined]) apply(original({ processingMode }));
}
