// The service logger (pino, JSON lines). Secret-bearing fields are redacted by path as a
// second line of defence: no code path is meant to log them in the first place.
import { pino, type DestinationStream, type Logger } from 'pino';

/** `destination` defaults to stdout; the CLI passes stderr so that stdout carries only results. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ['*.secretKeyMultibase', '*.authorization', '*.token', 'token', 'secretKeyMultibase', '*.headers.authorization'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
