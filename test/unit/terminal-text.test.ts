import { describe, expect, it } from 'vitest';
import { stripControlSequences } from '../../cli/terminal-text.js';

describe("a run's output shown on a terminal", () => {
  it.each([
    ['colours', '\u001b[31mred\u001b[0m and \u001b[1;38;5;208mbold\u001b[m\n', 'red and bold\n'],
    ['clearing the screen and moving the cursor', '\u001b[2J\u001b[Hcleared\u001b[3A', 'cleared'],
    ['a window title (OSC, ended by BEL)', '\u001b]0;pwned\u0007text', 'text'],
    ['writing to the clipboard (OSC 52, ended by ST)', '\u001b]52;c;ZWNobyBoaQ==\u001b\\after', 'after'],
    [
      'a link that says one thing (OSC 8)',
      '\u001b]8;;http://evil.example\u001b\\click\u001b]8;;\u001b\\',
      'click',
    ],
    ['a device control string', '\u001bPq#0;2;0;0;0\u001b\\img', 'img'],
    ['an unended string', 'before\u001b]0;the title never ends', 'before'],
    ['8-bit CSI and OSC', '\u009b31mx\u009d0;t\u009cy', 'xy'],
    ['charset and cursor save/restore escapes', '\u001b(B\u001b7text\u001b8', 'text'],
    ['backspaces over shown text', 'abc\b\b\bxyz', 'abcxyz'],
    ['a carriage return hiding the start of its line', 'safe text\rEVIL', 'safe text\nEVIL'],
    ['other C0 and C1 controls and DEL', 'a\u0000b\u0007c\u007fd\u0085e', 'abcde'],
  ])('drops %s', (_what, raw, shown) => {
    expect(stripControlSequences(raw)).toBe(shown);
  });

  it('keeps text, tabs, line ends (CRLF as LF) and every printable character', () => {
    const text = 'a\tb ü 日本 😀 ~!@#$%^&*()[]{}\\|;:\'",.<>/?\n';
    expect(stripControlSequences(text)).toBe(text);
    expect(stripControlSequences('one\r\ntwo\r\n')).toBe('one\ntwo\n');
  });
});
