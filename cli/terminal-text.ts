/**
 * A run's output is whatever its command printed, and printed raw it speaks to the terminal that
 * shows it: escape sequences can clear the screen, move the cursor over earlier lines, set the
 * window title, write to the clipboard (OSC 52) or make links that say one thing and open another
 * (OSC 8). So `tds logs` shows the text only, unless asked for the bytes (`--raw`).
 */

// ESC-introduced sequences: CSI (ESC [ ... final byte), OSC/DCS/SOS/PM/APC strings (up to BEL or
// ST), and two-byte escapes; then the 8-bit forms of CSI and of the string introducers.
// Linear: a string sequence ends at its terminator or at the end of the text (`$`), so a match
// that starts always succeeds and is never tried again from a later introducer in its span.
/* eslint-disable regexp/no-super-linear-move -- see above: `$` ends every match */
const SEQUENCES = new RegExp(
  [
    '\\u001b\\[[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?',
    '\\u001b[\\]PX^_][\\s\\S]*?(?:\\u0007|\\u001b\\\\|\\u009c|$)',
    '\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?',
    '\\u009b[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?',
    '[\\u0090\\u0098\\u009d\\u009e\\u009f][\\s\\S]*?(?:\\u0007|\\u001b\\\\|\\u009c|$)',
  ].join('|'),
  'g',
);
/* eslint-enable regexp/no-super-linear-move */

/** Control characters left after the sequences: every C0 but tab and newline, DEL, and C1. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * The text of terminal output without its control sequences and control characters; a carriage
 * return that is not part of a line end (a progress bar redrawing its line) becomes a line end, so
 * that no text hides what came before it on the line.
 */
export function stripControlSequences(text: string): string {
  return text.replace(SEQUENCES, '').replace(/\r\n/g, '\n').replace(/\r/g, '\n').replace(CONTROLS, '');
}
