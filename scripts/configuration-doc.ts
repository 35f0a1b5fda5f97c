/**
 * The settings tables of docs/configuration.md, written from the table of settings in
 * src/config.ts. `npm run docs:config` rewrites them; test/unit/configuration-doc.test.ts fails
 * when the committed page differs from what this would write.
 */
import { format, resolveConfig } from 'prettier';
import { SETTING_GROUPS, SETTINGS, type Setting } from '../src/config.js';

export const BEGIN =
  '<!-- settings: written by `npm run docs:config` from src/config.ts; edit them there -->';
export const END = '<!-- end of settings -->';

const cell = (markdown: string) => markdown.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** One table per group of settings, in the order of SETTING_GROUPS. */
export function settingsTables(): string {
  const settings = Object.entries(SETTINGS) as [string, Setting][];
  return Object.entries(SETTING_GROUPS)
    .map(([group, title]) => {
      const rows = settings
        .filter(([, setting]) => setting.group === group)
        .map(
          ([name, setting]) =>
            `| \`${name}\` | ${cell(setting.meaning)} | ${cell(setting.shownDefault)} | ${cell(setting.accepts)} |`,
        );
      return [
        `### ${title}`,
        '',
        '| name | meaning | default | accepts |',
        '| --- | --- | --- | --- |',
        ...rows,
      ].join('\n');
    })
    .join('\n\n');
}

/** `page` with the text between BEGIN and END replaced by the settings tables, formatted as the repository formats Markdown. */
export async function withSettingsTables(page: string, filepath: string): Promise<string> {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) {
    throw new Error(`${filepath} needs the lines\n${BEGIN}\n${END}\nwhere the settings tables go`);
  }
  const text = `${page.slice(0, begin + BEGIN.length)}\n\n${settingsTables()}\n\n${page.slice(end)}`;
  return format(text, { ...(await resolveConfig(filepath)), filepath });
}
