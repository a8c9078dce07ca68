// How public pages show people's names (issue 16): a program setting for the recipient's name
// and for observers' names, each `full`, `initials` or `none`. It applies to pages only (the
// badge page, the record page, the share page): what is signed is never changed, so the
// credential's JSON at its URL still says what the issuer signed. The default shows the
// recipient's name in full (the educator shares the badge to be known by it) and hides
// observers' names (the observers did not choose to be named to whoever the educator shows).
import { z } from 'zod';

export type NameDisplay = 'full' | 'initials' | 'none';

export interface NamePrivacy {
  recipients: NameDisplay;
  observers: NameDisplay;
}

export const DEFAULT_NAME_PRIVACY: Readonly<NamePrivacy> = Object.freeze({ recipients: 'full', observers: 'none' });

const DISPLAY = z.enum(['full', 'initials', 'none']);

export const NamePrivacySchema = z.strictObject({ recipients: DISPLAY.optional(), observers: DISPLAY.optional() });

export const namePrivacyOf = (value: z.infer<typeof NamePrivacySchema> | undefined): NamePrivacy => ({
  recipients: value?.recipients ?? DEFAULT_NAME_PRIVACY.recipients,
  observers: value?.observers ?? DEFAULT_NAME_PRIVACY.observers,
});

/** A stored setting (JSON) read back; anything unreadable is the default's stricter reading. */
export function parseNamePrivacy(json: string | null): NamePrivacy {
  if (json === null) return { ...DEFAULT_NAME_PRIVACY };
  try {
    const parsed = NamePrivacySchema.safeParse(JSON.parse(json));
    return parsed.success ? namePrivacyOf(parsed.data) : { recipients: 'none', observers: 'none' };
  } catch {
    return { recipients: 'none', observers: 'none' };
  }
}

const RANK: Record<NameDisplay, number> = { full: 0, initials: 1, none: 2 };

/** Where several programs apply to one badge, the strictest setting of each name wins (privacy fails closed). */
export function strictest(settings: readonly NamePrivacy[]): NamePrivacy {
  if (settings.length === 0) return { ...DEFAULT_NAME_PRIVACY };
  const pick = (key: keyof NamePrivacy): NameDisplay => settings.map((s) => s[key]).reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
  return { recipients: pick('recipients'), observers: pick('observers') };
}

/** "Dr. Maya Rivera" → "D. M. R." (initials of each word); `none` → undefined. */
export function displayName(name: string | undefined, display: NameDisplay): string | undefined {
  if (name === undefined) return undefined;
  if (display === 'full') return name;
  if (display === 'none') return undefined;
  const initials = name
    .split(/\s+/u)
    .filter((w) => w !== '')
    .map((w) => `${[...w][0]?.toLocaleUpperCase() ?? ''}.`);
  return initials.length > 0 ? initials.join(' ') : undefined;
}

/**
 * An evidence description with the observer's name shown as the setting says. The badges this
 * service signs name the observer in one place, "Observed on <date>[ (<setting> session)] by
 * <observer>; rated '<level>'" (src/credentials/openBadge.ts, masteryEvidence.ts); free text
 * (narratives) is shown as written: the setting cannot know the names inside it.
 */
export function redactObserver(description: string | undefined, display: NameDisplay): string | undefined {
  if (description === undefined || display === 'full') return description;
  return description.replace(/^(Observed on [^;]*?) by (.+?); rated '/u, (_all, head: string, observer: string) => {
    const shown = displayName(observer, display);
    return shown ? `${head} by ${shown}; rated '` : `${head} by an observer; rated '`;
  });
}
