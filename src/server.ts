// Entry point of the service: configuration → the composition root (src/service.ts) → HTTP server.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { serve } from '@hono/node-server';
import { loadConfig, type Config } from './config.js';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';
import { ensureAdminToken, ensureVerifierTokens } from './runtime.js';
import { createService, createVerifierService } from './service.js';
import { onShutdownSignals } from './shutdown.js';

export async function startServer(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (config.role === 'verifier') return startVerifier(config, logger);
  const service = await createService(config, logger);
  const { runtime, issuance, app } = service;
  const generatedToken = await ensureAdminToken(runtime.store, config.adminToken);
  // HTTPS when a certificate is configured (did:web issuers must be reachable over HTTPS).
  const tls = config.tls && { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) };
  const listen = { fetch: app.fetch, port: config.port, hostname: config.host, ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}) };
  const server = serve(listen, (info) => {
    // The address it listens on, as a URL an operator can paste (a wildcard host as localhost).
    const host = /^(0\.0\.0\.0|::)$/.test(config.host) ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `${tls ? 'https' : 'http'}://${host}:${info.port}`;
    logger.info({ url, port: info.port, https: Boolean(tls), baseUrl: config.baseUrl, issuer: runtime.issuer.identity.did, suite: config.proofSuite, signingWorkers: issuance.pool?.size ?? 0 }, 'educred listening');
    // A batch a crash or a stop cut short carries on where it was (its progress is in the
    // database), and rows another node left behind (it died) are taken over as its leases end.
    issuance.batches.resumeUnfinished().catch((error: unknown) => logger.error({ err: error }, 'resuming unfinished batches failed'));
    issuance.batches.watch();
    // The same for educator and observation imports (src/educators/importRunner.ts).
    service.deps.imports?.resumeUnfinished().catch((error: unknown) => logger.error({ err: error }, 'resuming unfinished imports failed'));
    service.deps.imports?.watch();
    // Claim emails queued before a stop or during a mail outage go out now, then as they fall due.
    runtime.mail?.start();
    if (generatedToken) {
      // Printed once, to the terminal only: the database keeps just its hash.
      process.stderr.write(
        `\nAdmin token (shown once, store it now):\n  ${generatedToken}\n` +
          `Use it as: Authorization: Bearer <token>. Set EDUCRED_ADMIN_TOKEN to choose your own.\n\n`,
      );
    }
  });
  // Idle keep-alive connections stay open longer than a load balancer's (AWS ALB and most
  // proxies idle out at 60 s): when the server closes first, a request the proxy (or any
  // client) sends on the closing connection is lost ("other side closed"). Headers must be
  // allowed a little longer than that (Node's rule: headersTimeout > keepAliveTimeout).
  const http = server as unknown as { keepAliveTimeout: number; headersTimeout: number };
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;
  // On SIGTERM the connections that fall idle are closed at once, not after keepAliveTimeout (src/shutdown.ts).
  onShutdownSignals({ server: server as Server, close: () => service.close(), logger });
}

/** EDUCRED_ROLE=verifier: no issuer key, no admin token generated or printed, no issuance routes. */
async function startVerifier(config: Readonly<Config>, logger: Logger): Promise<void> {
  const service = await createVerifierService(config, logger);
  await ensureVerifierTokens(service.runtime.store, config);
  if ((await service.runtime.store.tokens.countActive()) === 0) {
    logger.warn('no API token: set EDUCRED_VERIFY_TOKEN, or run `educred tokens create --name officer --scopes verify` against this data folder or database');
  }
  const tls = config.tls && { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) };
  const listen = { fetch: service.app.fetch, port: config.port, hostname: config.host, ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}) };
  const server = serve(listen, (info) => logger.info({ port: info.port, https: Boolean(tls), baseUrl: config.baseUrl, role: 'verifier', policy: service.runtime.verifier.policyName() }, 'educred verifier listening'));
  onShutdownSignals({ server: server as Server, close: () => service.close(), logger });
}

const isEntryPoint = import.meta.url === `file://${process.argv[1]}`;
if (isEntryPoint) {
  startServer().catch((error: unknown) => {
    process.stderr.write(`educred failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
