import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileProblem } from './problems.ts';

/*
 * HOCON through @pushcorn/hocon-parser, with what a definition file may make it read decided where
 * the parser reads, not by looking at the text: an `include` can be spelled in more ways than any
 * pattern of text keeps up with (indented, inside an object, `required(file(...))`, an object
 * `{ url: ... }`, a name without an extension that expands to three), and the parser can do more
 * than read files: fetch URLs, read its module path (`classpath(...)`), run an included `.js` file
 * with Node's `require`, and evaluate JavaScript in a transform (`eval(...)`). Every file the parser
 * opens, every source, builder and transform it resolves, passes through the context below; each
 * one made for an include is made by it, so nothing reaches the parser's own unguarded paths.
 */

/** The parts of the parser's (untyped) Context this guard uses. */
interface ContextUrl {
  href: string;
  source: string;
}
interface ParserNode {
  firstToken?: { line?: number; col?: number; file?: string } | null;
  sourceNode?: ParserNode;
  addChild(context: unknown): void;
}
interface ParserContext {
  url: ContextUrl | null;
  source: { data: unknown; constructor: unknown } & Record<string, unknown>;
  builder: { expandUrl(url: ContextUrl): string[] };
  readonly owner: ParserNode | undefined;
  readonly $: Record<string, unknown> & { owner?: ParserNode; parent?: ParserContext };
  readonly parent: ParserContext | undefined;
  resolve(scope?: unknown): Promise<unknown>;
  loadSource(): Promise<void>;
  resolveComponent(node: unknown, group: string, scope: unknown): Promise<unknown>;
}
type ContextClass = new (
  parent: ParserContext | Record<string, unknown> | null,
  options?: Record<string, unknown>,
) => ParserContext;

interface HoconLibrary {
  Context: ContextClass;
  FileSource: abstract new (...args: never[]) => unknown;
  ConfigBuilder: abstract new (...args: never[]) => unknown;
  BuilderAdapter: new (context: unknown, options?: unknown) => object;
  clone: (value: unknown) => Record<string, unknown>;
  sortObject: (value: unknown) => unknown;
}

function library(): HoconLibrary {
  const require = createRequire(import.meta.url);
  const parser = require('@pushcorn/hocon-parser') as { Context: ContextClass };
  const lib = path.dirname(require.resolve('@pushcorn/hocon-parser'));
  const utils = require(path.join(lib, 'utils.js')) as Pick<HoconLibrary, 'clone' | 'sortObject'>;
  return {
    Context: parser.Context,
    FileSource: (require(path.join(lib, 'sources/FileSource.js')) as Pick<HoconLibrary, 'FileSource'>)
      .FileSource,
    ConfigBuilder: (
      require(path.join(lib, 'builders/ConfigBuilder.js')) as Pick<HoconLibrary, 'ConfigBuilder'>
    ).ConfigBuilder,
    BuilderAdapter: (
      require(path.join(lib, 'core/BuilderAdapter.js')) as Pick<HoconLibrary, 'BuilderAdapter'>
    ).BuilderAdapter,
    clone: utils.clone,
    sortObject: utils.sortObject,
  };
}

/** The parser's pattern of a component call (`file(...)`), which it does not expand. */
const FILTER_PATTERN = /^[a-z][a-z0-9]+(?:-[a-z0-9]+)*\s*(?:\(.*\))?$/;

export const INCLUDE_RULE =
  'an include may only name a HOCON or JSON file in the folder of the definition or below it ' +
  '(include "common.conf", optionally in required(...) or file(...)): no URL, classpath, absolute ' +
  'path, parent folder or link out of the folder';

/** Whether `target` (resolved through links) lies in `folder` (already resolved) or below it. */
function within(folder: string, target: string): boolean {
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    // Not there (yet): judged by its folder, resolved through links as far as they exist.
    const parent = path.dirname(target);
    if (parent === target) return false;
    return within(folder, parent) && path.basename(target) !== '..';
  }
  const relative = path.relative(folder, real);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Parses the HOCON file `file` with `scope` as the only values substitutions read (the environment
 * never). Problems of includes are collected at the line of the include that makes them (in the
 * file that holds it), and the parse goes on without the refused source, so that every one is
 * listed; the parse's own error is given only when there is none of those.
 */
export async function parseHoconFile(
  file: string,
  scope: Record<string, string>,
): Promise<{ value: unknown; problems: FileProblem[] }> {
  const { Context, FileSource, ConfigBuilder, BuilderAdapter, clone, sortObject } = library();
  const absolute = path.resolve(file);
  const folder = realpathSync(path.dirname(absolute));
  const problems: FileProblem[] = [];
  /** The include each context was made for: a name without an extension makes several. */
  const includeOf = new WeakMap<object, ParserNode>();
  const refused = new WeakSet<ParserNode>();

  /** An adapter that reads nothing: what a refused source or builder is replaced with. */
  class Nothing extends BuilderAdapter {
    data: unknown = undefined;
    async load(): Promise<undefined> {
      return undefined;
    }
    async build(): Promise<void> {}
    expandUrl(): string[] {
      return [];
    }
  }

  function refuse(context: ParserContext, what: string): void {
    const include = includeOf.get(context);
    // A name without an extension is tried as three files: one problem for the include is enough.
    if (include !== undefined) {
      if (refused.has(include)) return;
      refused.add(include);
    }
    const token = include?.sourceNode?.firstToken ?? include?.firstToken ?? undefined;
    // An include inside an included file: its line is in that file, so the message names it.
    const holder = token?.file?.startsWith('file:') ? fileURLToPath(token.file) : absolute;
    const inFile = holder === absolute ? '' : ` (in ${path.relative(path.dirname(absolute), holder)})`;
    problems.push({
      file,
      line: token?.line ?? 1,
      column: token?.col ?? 1,
      message: `${what}${inFile}: ${INCLUDE_RULE}`,
    });
  }

  class GuardedContext extends Context {
    /** Every context made for an include is a guarded one (the parser's own makes a plain one). */
    createContext(options: unknown, owner: ParserNode): ParserContext {
      const given = clone(options);
      const resource = typeof given === 'string' ? { url: given } : given;
      const context = new GuardedContext(this, { ...resource, owner });
      includeOf.set(context, owner);
      return context;
    }

    /** As the parser's: a name without an extension stands for name.conf, .json and .properties. */
    expandUrl(): void {
      const $ = this.$;
      const owner = $.owner;
      if (!owner || !this.url || FILTER_PATTERN.test(this.url.href)) return;
      for (const url of this.builder.expandUrl(this.url)) {
        const context = new GuardedContext(this.parent ?? null, {
          url,
          text: $.text,
          query: $.query,
          scope: $.scope,
          encoding: $.encoding,
          required: $.required,
          builder: $.builder,
          strict: $.strict,
          transforms: clone($.transforms),
        });
        includeOf.set(context, owner);
        owner.addChild(context);
      }
    }

    /** The parser's environment lookup is never on, whatever an include asks (`env(...)`). */
    get env(): boolean {
      return false;
    }

    override async resolveComponent(node: unknown, group: string, scope: unknown): Promise<unknown> {
      const component = (await super.resolveComponent(node, group, scope)) as object | undefined;
      if (component === undefined) return component;
      if (group === 'sources' && component.constructor !== FileSource) {
        refuse(
          this,
          `this include reads from ${this.url?.source ?? 'a source'} ${JSON.stringify(this.url?.href ?? '')}, not a file`,
        );
        return new Nothing(this);
      }
      if (group === 'builders' && component.constructor !== ConfigBuilder) {
        refuse(
          this,
          `this include would be read as ${this.url ? path.extname(this.url.href) || 'content' : 'content'}, not HOCON or JSON`,
        );
        return new Nothing(this);
      }
      if (group === 'transforms') {
        // Transforms include eval(...): JavaScript from the definition file.
        throw new Error('transforms (such as eval) are not allowed in a definition file');
      }
      return component;
    }

    override async loadSource(): Promise<void> {
      if (this.source instanceof Nothing) return;
      const url = this.url;
      const target = url && url.href.startsWith('file:') ? fileURLToPath(url.href) : undefined;
      if (target === undefined || !within(folder, target)) {
        refuse(this, `${JSON.stringify(target ?? url?.href ?? '')} is outside the definition's folder`);
        this.source.data = undefined;
        return;
      }
      return super.loadSource();
    }
  }

  try {
    const context = new GuardedContext({ url: absolute, env: false, strict: true, scope });
    const value = await context.resolve();
    if (problems.length > 0) return { value: undefined, problems };
    return { value: value !== null && typeof value === 'object' ? sortObject(value) : value, problems };
  } catch (error) {
    if (problems.length > 0) return { value: undefined, problems };
    throw error;
  }
}
