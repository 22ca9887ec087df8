import { describe, expect, it } from 'vitest';
import { refusedCharacter, textProblem } from './todoText';

describe('todo text', () => {
  it('refuses what the server refuses: controls, line breaks, bidi controls, invisible characters, noncharacters, lone surrogates', () => {
    for (const bad of ['\u0000', '\u0007', '\t', '\n', '\u007f', '\u0085', '\u2028', '\u202a', '\u202e', '\u2066', '\u2069',
      '\u200b', '\u2060', '\ufeff', '\ufdd0', '\uffff', '\ud800', '\udc00', '\udc00\ud83d']) {
      expect(textProblem(`ab${bad}cd`), JSON.stringify(bad)).toMatch(/^Remove the invisible or control character U\+[0-9A-F]{4} \(character 3\)\.$/);
    }
  });

  it('keeps what scripts and emoji need: ZWJ, ZWNJ, the direction marks, variation selectors, pairs', () => {
    for (const good of ['👩\u200d💻', 'می\u200cخواهم', 'שלום \u200fabc\u200e', '❤\ufe0f', 'Café', '😀']) {
      expect(textProblem(good), good).toBeNull();
    }
  });

  it('counts characters, not UTF-16 units, in what it reports', () => {
    expect(refusedCharacter('😀😀\u202e')).toEqual({ codePoint: 0x202e, index: 2 });
  });
});
