import { html } from 'htm/preact';

/**
 * What a run or a workflow run was started with beyond its definition, as a short list under its
 * facts: a trigger's overrides (`overrides` in GET /runs/:id and GET /workflow-runs/:id: env values,
 * another input folder) and a workflow run's params, under its own heading (found by a screen
 * reader's heading navigation, as the page's other sections are). Nothing when there are none.
 */
interface StartedWith {
  overrides?: {
    env?: Record<string, string>;
    source_s3_prefix?: string;
    params?: Record<string, unknown>;
  } | null;
  params?: Record<string, unknown> | null;
}

export function Overrides({ overrides, params }: StartedWith) {
  const env = Object.entries(overrides?.env ?? {});
  const given = Object.entries(params ?? overrides?.params ?? {});
  const source = overrides?.source_s3_prefix;
  if (env.length === 0 && given.length === 0 && source === undefined) return null;
  return html`<section class="started-with" aria-labelledby="started-with" data-testid="overrides">
    <h2 id="started-with">Started with</h2>
    <ul class="overrides">
      ${
        source !== undefined &&
        html`<li>input folder <code>${source === '' ? "(the bucket's top)" : source}</code></li>`
      }
      ${env.map(([name, value]) => html`<li>env <code>${`${name}=${value}`}</code></li>`)}
      ${given.map(([name, value]) => html`<li>param <code>${`${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`}</code></li>`)}
    </ul>
  </section>`;
}
