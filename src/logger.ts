// The service logger (pino, JSON lines). Secret-bearing fields are redacted by path as a
// second line of defence: no code path is meant to log them in the first place.
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['*.secretKeyMultibase', '*.authorization', '*.token', 'token', 'secretKeyMultibase', '*.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
