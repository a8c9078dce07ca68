// Graceful shutdown (SIGTERM, SIGINT): stop accepting connections, let every request under way
// be answered (its signing and its transaction finish), close idle keep-alive connections so
// they cannot hold the process, then close the service (batch rows being awarded finish, the
// rest stays pending for the next start; workers, mail, database, key) and exit. Past the grace
// period the remaining connections are cut; a transaction is atomic, so nothing is half-written.
import type { Server } from 'node:http';
import type { Logger } from 'pino';

export const SHUTDOWN_GRACE_MS = 25_000;

export interface ShutdownOptions {
  server: Pick<Server, 'close' | 'closeIdleConnections' | 'closeAllConnections'>;
  /** Closes the service once no request is under way (src/service.ts). */
  close(): Promise<void>;
  logger: Logger;
  graceMs?: number | undefined;
  exit?: ((code: number) => void) | undefined;
}

/** Stops the service; resolves with the exit code once everything is closed. */
export function shutDown(options: ShutdownOptions, signal: string): Promise<number> {
  const { server, logger } = options;
  logger.info({ signal }, 'shutting down: no new connections; finishing the requests under way');
  // Idle keep-alive connections are closed now and as requests finish, so none holds the stop.
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  const cut = setTimeout(() => {
    logger.warn({ graceMs: options.graceMs ?? SHUTDOWN_GRACE_MS }, 'shutdown grace period over: closing the remaining connections');
    server.closeAllConnections();
  }, options.graceMs ?? SHUTDOWN_GRACE_MS);
  cut.unref();
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  })
    .finally(() => {
      clearInterval(idle);
      clearTimeout(cut);
    })
    .then(() => options.close())
    .then(
      () => {
        logger.info('stopped');
        return 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        return 1;
      },
    );
}

/** Installs the handlers: the first signal stops gracefully; a second one exits at once. */
export function onShutdownSignals(options: ShutdownOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handle = (signal: string): void => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    void shutDown(options, signal).then(exit);
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
