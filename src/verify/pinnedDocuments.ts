// Documents a verifier pins locally (EDUCRED_VERIFY_DOCUMENTS_DIR, `educred verify --documents`):
// DID documents and controller documents it holds copies of, so that it can verify fully
// offline or refuse to depend on a remote host. Each is served for its own `id` and for the id
// of every verification method inside it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isObject, type Json } from '../credentials/jsonValues.js';
import { ConfigError } from '../config.js';


/** A configuration file the operator can fix: reported as a message, not a crash. */
export class PinnedDocumentError extends ConfigError {}


/** The verification relationships whose entries may embed a method instead of naming one. */
const RELATIONSHIPS = ['verificationMethod', 'assertionMethod', 'authentication', 'capabilityInvocation', 'capabilityDelegation'];

/** Absolute id of a method: relative ids (`#key-1`) are fragments of the document. */
const absoluteId = (documentId: string, id: string): string => (id.startsWith('#') ? `${documentId}${id}` : id);

export class PinnedDocuments {
  private readonly byId = new Map<string, Json>();

  /** Adds a document; later documents with the same id replace earlier ones. */
  add(document: unknown, source = 'document'): void {
    if (!isObject(document) || typeof document.id !== 'string' || document.id.length === 0) {
      throw new PinnedDocumentError(`${source}: a pinned document must be a JSON object with an "id"`);
    }
    const documentId = document.id;
    this.byId.set(documentId, document);
    for (const relationship of RELATIONSHIPS) {
      const entries = document[relationship];
      for (const entry of Array.isArray(entries) ? entries : []) {
        if (!isObject(entry) || typeof entry.id !== 'string') continue;
        const id = absoluteId(documentId, entry.id);
        // A method carries the contexts that define its terms, and names its controller.
        this.byId.set(id, { '@context': document['@context'], ...entry, id, controller: entry.controller ?? documentId });
      }
    }
  }

  get(url: string): Json | undefined {
    return this.byId.get(url);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Reads every `*.json` file of a folder (one document per file, or an array of them). */
  static fromDirectory(dir: string | undefined): PinnedDocuments {
    const pinned = new PinnedDocuments();
    if (!dir) return pinned;
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
    } catch (cause) {
      throw new PinnedDocumentError(`Cannot read the pinned documents folder ${dir}: ${(cause as Error).message}`, { cause });
    }
    for (const name of names) {
      const file = path.join(dir, name);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (cause) {
        throw new PinnedDocumentError(`${file}: not valid JSON (${(cause as Error).message})`, { cause });
      }
      for (const document of Array.isArray(parsed) ? parsed : [parsed]) pinned.add(document, file);
    }
    return pinned;
  }
}
