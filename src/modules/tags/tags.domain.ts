
/** Keyset position over (lower(name), id). */
export interface NameCursor {
  name: string;
  id: string;
}

export const nameCursor = ([name, id]: [string, string]): NameCursor => ({ name, id });

/** Names are compared case-insensitively and stored trimmed. */
export const normalizeName = (name: string) => name.trim();

export const normalizeColor = (color: string | null | undefined) => (color == null ? color : color.toLowerCase());
