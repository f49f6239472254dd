export type TagKind = 'setup' | 'mistake' | 'custom';

/**
 * The trade's tag set after a patch. `tagIds` replaces the whole set; `mistakes` then replaces
 * only its mistake-kind tags (other tags stay). Order is kept: first the base set, then new mistakes.
 * `kindOf` knows the kind of every tag involved (current tags and requested ones).
 */
export function nextTagSet(
  current: readonly string[],
  patch: { tagIds?: readonly string[]; mistakes?: readonly string[] },
  kindOf: (id: string) => TagKind | undefined,
): string[] {
  let set = [...(patch.tagIds ?? current)];
  if (patch.mistakes) {
    set = set.filter((id) => kindOf(id) !== 'mistake');
    for (const id of patch.mistakes) if (!set.includes(id)) set.push(id);
  }
  return set;
}

/** First rule id that appears twice, if any. */
export function firstDuplicate(ids: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return undefined;
}
