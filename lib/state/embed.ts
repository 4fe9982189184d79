/**
 * One numbered equation of a page with its live cell, alone, for an iframe in a course page or a slide
 * (docs/embedding-equations.md). The embed is the page itself in a mode, `?embed=eq-4-9`, next to the page's own
 * settings, so the numbers are the page's, computed by the very cells of the page. This module reads the mode's
 * parameters with the site's one strict parser (lib/state/fields.ts, lib/state/query.ts, which names them and keeps
 * them through a form's rewrite), and says what the copied `<iframe>` is and the message that tells the embedding
 * page the embed's height. Only the embed and its panel load it.
 */
import { type Schema, choice, choiceFrom, quote, validateFields } from "./fields.js";
import { type QuerySchema, VIEW_PARAMS, messageOf, oneLine, queryOf, readLink, settle, withoutViewParams } from "./query.js";

export const CONTROLS = ["show", "hide"] as const;
export const THEMES = ["system", "light", "dark"] as const;

/** How the embed looks: the cell's controls (or only the configuration they hold), and the colour theme. */
export interface EmbedView {
  controls: (typeof CONTROLS)[number];
  theme: (typeof THEMES)[number];
}

export const EMBED_VIEW_FIELDS: Schema<EmbedView> = {
  controls: choice(CONTROLS, "a way to show the controls"),
  theme: choice(THEMES, "a colour theme"),
};

export const EMBED_VIEW_DEFAULTS: EmbedView = { controls: "show", theme: "system" };

/**
 * The embed's parameters, in the order a link lists them (lib/state/query.ts's VIEW_PARAMS, which the settings
 * forms keep). `embed` names the equation by its anchor (`eq-4-9`, `d2l-2-4b`), so one rule covers every source's
 * numbering.
 */
export const EMBED_QUERY: QuerySchema = VIEW_PARAMS.map((p) => [p, p] as const);

/** What a link asks of the embed: the equation (null when the link names none of the page's) and the view. */
export interface EmbedReading {
  equation: string | null;
  view: EmbedView;
  /** One line naming the field that was wrong and what was used instead; "" for a good link. */
  message: string;
}

/**
 * The embed a link asks for, given the anchors of the page's equations that have a live cell. A bad `controls`
 * or `theme` is replaced by its default, as a page's bad setting is; a bad `embed` leaves nothing to show.
 */
export function readEmbed(search: string, equations: readonly string[]): EmbedReading {
  const link = readLink(search, EMBED_QUERY);
  let equation: string | null = null;
  let equationMessage = link.problems.find((p) => p.key === "embed")?.message ?? "";
  if (!equationMessage && equations.length === 0) {
    equationMessage = `embed: ${quote(link.raw.embed ?? "")} names no equation: this page has no numbered equation with a live cell`;
  } else if (!equationMessage) {
    try {
      equation = choiceFrom("embed", link.raw.embed ?? "", equations, "a numbered equation of this page with a live cell");
    } catch (error) {
      equationMessage = messageOf(error);
    }
  }
  const { embed: _, ...raw } = link.raw;
  const view = settle<EmbedView>({
    defaults: { ...EMBED_VIEW_DEFAULTS },
    link: { raw, problems: link.problems.filter((p) => p.key !== "embed") },
    validate: (r) => validateFields(EMBED_VIEW_FIELDS, r),
  });
  return { equation, view: view.value, message: equationMessage ? oneLine(equationMessage) : view.message };
}

/** The embed's address: the page, the equation, the view (defaults left out) and the page's own settings. */
export function embedUrl(page: { origin: string; pathname: string; search: string }, equation: string, view: EmbedView): string {
  const own = queryOf(EMBED_QUERY, { embed: equation, ...view }, { embed: "", ...EMBED_VIEW_DEFAULTS });
  const settings = withoutViewParams(page.search);
  return `${page.origin}${page.pathname}?${own}${settings ? `&${settings}` : ""}`;
}

const attribute = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The width of the copied iframe in CSS pixels: a slide's content column; `max-width: 100%` narrows it on a phone. */
export const EMBED_WIDTH = 720;
/** The copied height is the estimate rounded up to this step, and kept within these bounds. */
const HEIGHT_STEP = 20;
export const EMBED_HEIGHT_RANGE = [240, 2400] as const;

/** The fixed height of the copied iframe for an estimated content height: what shows where nothing resizes it. */
export function snippetHeight(estimate: number): number {
  const [lo, hi] = EMBED_HEIGHT_RANGE;
  const rounded = Math.ceil((Number.isFinite(estimate) ? estimate : lo) / HEIGHT_STEP) * HEIGHT_STEP;
  return Math.min(hi, Math.max(lo, rounded));
}

/** What a lecturer pastes: one iframe, lazily loaded, with no border. */
export function embedSnippet(o: { src: string; title: string; height: number; width?: number }): string {
  return `<iframe src="${attribute(o.src)}" title="${attribute(o.title)}" width="${o.width ?? EMBED_WIDTH}" ` +
    `height="${o.height}" loading="lazy" style="border:0;max-width:100%"></iframe>`;
}

/** The `type` of the message an embed posts to the page around it whenever its height changes. */
export const EMBED_HEIGHT_MESSAGE = "bptt-companion:embed-height";

/**
 * What an embed posts to `window.parent` (docs/embedding-equations.md): its content's height in CSS pixels, and
 * which equation it shows. Nothing else, so the target origin can be any.
 */
export interface EmbedHeightMessage {
  type: typeof EMBED_HEIGHT_MESSAGE;
  equation: string;
  height: number;
}

export const heightMessage = (equation: string, height: number): EmbedHeightMessage =>
  ({ type: EMBED_HEIGHT_MESSAGE, equation, height: Math.ceil(height) });
