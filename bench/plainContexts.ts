// The pinned contexts as a plain library user would load them (contexts/manifest.json, tagged
// static as deployed code does), for the baselines that run without educred's code
// (bench/plainBaseline.ts, bench/plainVerify.ts): this file imports nothing of src/.
import { readFileSync } from 'node:fs';

export interface PlainRemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: unknown;
  tag?: 'static';
}

const contextsDir = new URL('../contexts/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', contextsDir), 'utf8')) as Record<string, { file: string }>;
const contexts = new Map(Object.entries(manifest).map(([url, entry]) => [url, JSON.parse(readFileSync(new URL(entry.file, contextsDir), 'utf8')) as unknown]));

/** A pinned context, tagged static (jsonld then keeps it processed), or undefined. */
export function plainContext(url: string): PlainRemoteDocument | undefined {
  const document = contexts.get(url);
  return document === undefined ? undefined : { contextUrl: null, documentUrl: url, document, tag: 'static' };
}
