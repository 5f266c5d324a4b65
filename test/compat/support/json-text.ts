/**
 * Reads a JSON answer as its text says it, not as JSON.parse rebuilds it: object keys
 * in the order written, numbers as written (`1` and `1.0` differ). That is what a typed
 * client sees (a Ruby dry-struct Float refuses `1`; `result.first` takes the first key).
 */
export type JsonText =
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, JsonText]> }
  | { readonly kind: 'array'; readonly items: readonly JsonText[] }
  | { readonly kind: 'number'; readonly raw: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'literal'; readonly value: boolean | null };

export function parseJsonText(text: string): JsonText {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`bad JSON at ${i}: ${what} in ${text.slice(0, 200)}`);
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') {
      if (i >= text.length) fail('unterminated string');
      i += text[i] === '\\' ? 2 : 1;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): JsonText => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: Array<readonly [string, JsonText]> = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = str();
        ws();
        if (text[i++] !== ':') fail('expected :');
        entries.push([key, value()]);
        ws();
        const sep = text[i++];
        if (sep === '}') return { kind: 'object', entries };
        if (sep !== ',') fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const items: JsonText[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') return { kind: 'array', items };
        if (sep !== ',') fail('expected , or ]');
      }
    }
    if (c === '"') return { kind: 'string', value: str() };
    const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
    if (m) {
      i += m[0].length;
      return { kind: 'number', raw: m[0] };
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { kind: 'literal', value: v };
      }
    }
    return fail('unexpected token');
  };
  const out = value();
  ws();
  if (i !== text.length) fail('trailing text');
  return out;
}

/** Paths of objects whose keys are not in sorted order (Flask's jsonify sorts them). */
export function unsortedObjects(t: JsonText, at = '$'): string[] {
  if (t.kind === 'array') return t.items.flatMap((item, n) => unsortedObjects(item, `${at}[${n}]`));
  if (t.kind !== 'object') return [];
  const keys = t.entries.map(([k]) => k);
  const own = keys.join('\u0000') === [...keys].sort().join('\u0000') ? [] : [`${at} {${keys.join(', ')}}`];
  return [...own, ...t.entries.flatMap(([k, v]) => unsortedObjects(v, `${at}.${k}`))];
}

/** Every number and string with the key it sits under (array items inherit their array's key). */
export function leavesByKey(t: JsonText, key = '', at = '$'): Array<{ key: string; kind: 'number' | 'string'; raw: string; at: string }> {
  if (t.kind === 'number') return [{ key, kind: 'number', raw: t.raw, at }];
  if (t.kind === 'string') return [{ key, kind: 'string', raw: JSON.stringify(t.value), at }];
  if (t.kind === 'array') return t.items.flatMap((item, n) => leavesByKey(item, key, `${at}[${n}]`));
  if (t.kind === 'object') return t.entries.flatMap(([k, v]) => leavesByKey(v, k, `${at}.${k}`));
  return [];
}

export const isFloatToken = (raw: string) => /[.eE]/.test(raw);
