// The test-only self-signed certificate for 127.0.0.1 / localhost (test/fixtures/tls/README.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TEST_TLS_CERT_FILE = fileURLToPath(new URL('../fixtures/tls/localhost-cert.pem', import.meta.url));
export const TEST_TLS_KEY_FILE = fileURLToPath(new URL('../fixtures/tls/localhost-key.pem', import.meta.url));
export const TEST_TLS = { cert: readFileSync(TEST_TLS_CERT_FILE, 'utf8'), key: readFileSync(TEST_TLS_KEY_FILE, 'utf8') };
