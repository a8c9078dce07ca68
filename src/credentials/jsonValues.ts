// Reading credentials as JSON: a JSON-LD property holds one value or a list of them, and a node
// is named by its id or is an object with an `id`. Every reader of credentials (verification,
// status checks, the data model rules) goes through these, so they all read alike.

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One value or a list of values, as a list (absent and null: empty). */
export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);

/** The id of a node given by reference (a string) or embedded (an object with `id`). */
export const idOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : isObject(value) && typeof value.id === 'string' ? value.id : undefined);
