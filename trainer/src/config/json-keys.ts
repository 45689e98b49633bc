/** Duplicate keys in JSON text, which JSON.parse accepts without a word (used by the config and spec readers and the API). */

/**
 * The first key that appears twice in one object of `text` (valid JSON), as a path ("base.lr"), or
 * undefined. JSON.parse keeps the last of duplicate keys without a word; a config or spec that says
 * two things about one field is refused instead, as YAML refuses it.
 */
export function duplicateJsonKey(text: string): string | undefined {
  // Iterative, with a stack of open objects and arrays: the readers accept nesting as deep as
  // JSON.parse does (tens of thousands of levels), which recursion here would not survive.
  type Open = { readonly object: boolean; readonly path: string; readonly seen: Set<string>; index: number };
  const stack: Open[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r\ufeff'.includes(text[i] as string)) i++;
  };
  const readString = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);
  /** The path of the value about to be read in the innermost open container, after its key if any; or a duplicate. */
  const nextPath = (): { readonly path: string } | { readonly duplicate: string } => {
    const top = stack[stack.length - 1];
    if (top === undefined) return { path: '' };
    if (!top.object) return { path: `${top.path}[${top.index++}]` };
    skipSpace();
    const key = readString();
    const path = join(top.path, key);
    if (top.seen.has(key)) return { duplicate: path };
    top.seen.add(key);
    skipSpace();
    i++; // ':'
    return { path };
  };
  for (;;) {
    const next = nextPath();
    if ('duplicate' in next) return next.duplicate;
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      skipSpace();
      if (text[i] === (c === '{' ? '}' : ']')) i++;
      else {
        stack.push({ object: c === '{', path: next.path, seen: new Set<string>(), index: 0 });
        continue;
      }
    } else if (c === '"') readString();
    else while (i < text.length && !',]} \t\n\r'.includes(text[i] as string)) i++; // a number, true, false or null
    // After a value: a comma continues the innermost container; closing brackets end containers.
    for (;;) {
      skipSpace();
      if (stack.length === 0) return undefined;
      if (text[i] === ',') {
        i++;
        break;
      }
      i++; // '}' or ']'
      stack.pop();
    }
  }
}
