// What the HTTP layer is given: every route module receives these, nothing is global.
import type { Logger } from 'pino';
import type { StatusAllocator } from '../awards/issueAward.js';
import type { CompetencyFramework } from '../competencies/framework.js';
import type { Issuer } from '../signing/issuer.js';
import type { Db } from '../store/db.js';

export interface AppDeps {
  db: Db;
  issuer: Issuer;
  framework: CompetencyFramework;
  baseUrl: string;
  bodyLimit: number;
  logger: Logger;
  status?: StatusAllocator | undefined;
  /** Lifetime of claim links in days (default 30). */
  claimTtlDays?: number | undefined;
}
