/** The server's rules for a todo's text, checked before anything is sent. */
export const MAX_TEXT_LENGTH = 500;

export function textProblem(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return 'Write something first.';
  if (trimmed.length > MAX_TEXT_LENGTH) return `At most ${MAX_TEXT_LENGTH} characters.`;
  const refused = refusedCharacter(trimmed);
  if (refused) {
    const hex = refused.codePoint.toString(16).toUpperCase().padStart(4, '0');
    return `Remove the invisible or control character U+${hex} (character ${refused.index + 1}).`;
  }
  return null;
}

/**
 * The first character the server refuses in one line of text (docs/protocol.md, "Text rules";
 * TextRules.java): controls (C0, DEL, C1, tab and line breaks), bidi embeddings, overrides and
 * isolates, invisible characters (U+200B, U+2060–U+2064, U+FEFF...), noncharacters and unpaired
 * surrogates. Paste can bring any of them into the field. `index` counts code points.
 */
export function refusedCharacter(text: string): { codePoint: number; index: number } | null {
  let index = 0;
  for (let i = 0; i < text.length; index++) {
    const codePoint = text.codePointAt(i)!;
    // codePointAt gives a lone surrogate when it is not part of a pair
    if (isRefused(codePoint)) return { codePoint, index };
    i += codePoint > 0xffff ? 2 : 1;
  }
  return null;
}

function isRefused(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0x200b ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    cp === 0xfeff ||
    cp === 0x180e ||
    (cp >= 0x206a && cp <= 0x206f) ||
    (cp >= 0xfff9 && cp <= 0xfffb) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) ||
    (cp & 0xfffe) === 0xfffe ||
    (cp >= 0xd800 && cp <= 0xdfff)
  );
}
