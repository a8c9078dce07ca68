// Which name-privacy setting a public page applies to an award (issue 16). A program record
// follows its program. A badge follows the programs defined with POST /programs that require its
// achievement; when several do, the strictest setting of each name wins (strictest in
// src/programs/namePrivacy.ts). A badge no defined program requires (the built-in program's
// competencies, by default) gets the default, as do licences and other awards.
import type { AwardRecord } from '../store/awards.js';
import type { Repositories } from '../store/store.js';
import { listPrograms } from './issueRecord.js';
import { DEFAULT_NAME_PRIVACY, strictest, type NamePrivacy } from './namePrivacy.js';

const PROGRAM_PREFIX = 'program:';

export async function pagePrivacyFor(store: Repositories, award: Pick<AwardRecord, 'achievementCode'>): Promise<NamePrivacy> {
  const programs = await listPrograms(store);
  const settingOf = (p: (typeof programs)[number]): NamePrivacy => p.namePrivacy ?? { ...DEFAULT_NAME_PRIVACY };
  if (award.achievementCode.startsWith(PROGRAM_PREFIX)) {
    const program = programs.find((p) => p.code === award.achievementCode.slice(PROGRAM_PREFIX.length));
    return program ? settingOf(program) : { ...DEFAULT_NAME_PRIVACY };
  }
  return strictest(programs.filter((p) => !p.builtIn && p.requires.some((r) => r.achievement === award.achievementCode)).map(settingOf));
}
