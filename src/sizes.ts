const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** `1536` → `"1.5 KiB (1536 bytes)"`: readable, and exact for whoever compares it with a setting. */
export function describeBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes;
  let unit = 'bytes';
  for (const next of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  const shown = value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${unit} (${bytes} bytes)`;
}
