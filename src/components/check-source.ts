/**
 * Where the Check page's JSON comes from: a textarea, a file upload and, for the case, an example button. Its
 * `source` is the text, or, for a text too long to show, the File or pasted text itself: a 16 MB line in a
 * textarea takes the browser seconds to lay out and to edit, so past INLINE_LIMIT characters an upload or a paste
 * is held aside (with a line saying so, and a button to drop it) and handed to the worker as is.
 * Changes dispatch a bubbling "input" event.
 */
import { caseToJson, randomCase } from "../lib/tools/case.js";

/** Characters above which a paste or an upload is not put in the textarea (about 12 ms of layout here). */
export const INLINE_LIMIT = 200_000;

export type Source = string | Blob;

export interface TextSource extends HTMLDivElement {
  /** The current text, or the held File/Blob. */
  readonly source: Source;
  /** "" for an empty textarea. */
  readonly isEmpty: boolean;
  /**
   * Shows `text` read-only, labelled `label`, without the upload and example controls (a problem set's case, which
   * the page derives itself); null gives the box back, keeping its text. Dispatches "input".
   */
  lock(fixed: { text: string; label: string } | null): void;
  /** Replaces the text, as a paste would (dispatches "input"). */
  setText(text: string): void;
}

export function bytesText(n: number): string {
  return n < 1e3 ? `${n} bytes` : n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : `${(n / 1e6).toFixed(1)} MB`;
}

/** "32 MiB" for a limit set in binary units. */
export const mebibytes = (n: number) => `${Math.round(n / (1024 * 1024))} MiB`;

/** A case as readable JSON text: one field per line. */
function caseText(seed: number): { text: string; command: string } {
  const pick = (n: number) => 2 + (Math.floor(seed / n) % 3);
  const opts = { seed, vocab: pick(1) + 2, dModel: pick(3), hidden: pick(9) + 1, tau: pick(27) + 1 };
  const j = caseToJson(randomCase(opts));
  const text = `{\n${Object.entries(j).map(([key, v]) => `  ${JSON.stringify(key)}: ${JSON.stringify(v)}`).join(",\n")}\n}\n`;
  const command = `npm run --silent answer-key -- --seed ${opts.seed} --vocab ${opts.vocab} --d-model ${opts.dModel} --hidden ${opts.hidden} --tau ${opts.tau}`;
  return { text, command };
}

/** The example case of seed `seed` (the page starts with seed 1). */
export const exampleCaseText = (seed: number) => caseText(seed).text;

export interface TextSourceOptions {
  id: string;
  label: string;
  initial?: string;
  placeholder?: string;
  /** A "Load an example" button (the case box). */
  example?: boolean;
}

export function textSource(o: TextSourceOptions): TextSource {
  const wrap = document.createElement("div") as unknown as TextSource;
  wrap.className = "text-source";
  const lab = document.createElement("label");
  lab.htmlFor = o.id;
  lab.textContent = o.label;
  const ta = document.createElement("textarea");
  ta.id = o.id;
  ta.rows = 8;
  ta.spellcheck = false;
  ta.placeholder = o.placeholder ?? "";
  ta.value = o.initial ?? "";
  const row = document.createElement("div");
  row.className = "text-source-row";
  const fileLabel = document.createElement("label");
  fileLabel.textContent = "or upload a JSON file: ";
  const file = document.createElement("input");
  file.type = "file";
  file.accept = ".json,application/json,text/plain";
  file.id = `${o.id}-file`;
  fileLabel.append(file);
  row.append(fileLabel);
  const held = document.createElement("div");
  held.className = "text-source-held";
  held.hidden = true;
  const heldText = document.createElement("span");
  heldText.id = `${o.id}-held`;
  const drop = document.createElement("button");
  drop.type = "button";
  drop.textContent = "Clear";
  held.append(heldText, " ", drop);
  const note = document.createElement("span");
  note.className = "text-source-note";
  note.setAttribute("aria-live", "polite");

  let heldSource: Blob | string | null = null;
  const changed = () => wrap.dispatchEvent(new Event("input", { bubbles: true }));
  const setText = (text: string) => {
    hold(null, "");
    ta.value = text;
    changed();
  };
  function hold(source: Blob | string | null, what: string) {
    heldSource = source;
    held.hidden = source === null;
    heldText.textContent = what;
    ta.placeholder = source === null ? (o.placeholder ?? "") : "Type or paste here to use this box instead.";
    if (source !== null) ta.value = "";
  }
  ta.addEventListener("input", () => {
    if (heldSource !== null) hold(null, ""); // the reader typed: the box is the source again
  });
  ta.addEventListener("paste", (e) => {
    const text = e.clipboardData?.getData("text/plain") ?? "";
    if (text.length <= INLINE_LIMIT) return; // the browser pastes it into the box as usual
    e.preventDefault();
    note.textContent = "";
    hold(text, `Pasted text, ${bytesText(text.length)}: too long to show in the box; the page reads it as it is.`);
    changed();
  });
  file.addEventListener("change", async () => {
    const f = file.files?.[0];
    if (!f) return;
    if (f.size > INLINE_LIMIT) {
      note.textContent = "";
      hold(f, `${f.name}, ${bytesText(f.size)}: too long to show in the box; the page reads the file as it is.`);
      changed();
      return;
    }
    note.textContent = `Read ${f.name}.`;
    setText(await f.text());
  });
  drop.addEventListener("click", () => {
    hold(null, "");
    file.value = "";
    changed();
    ta.focus();
  });
  if (o.example) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = `${o.id}-example`;
    button.textContent = "Load an example";
    button.addEventListener("click", () => {
      const ex = caseText(Math.floor(Math.random() * 1e6));
      note.textContent = `A random case; the command line makes the same one with: ${ex.command}`;
      setText(ex.text);
    });
    row.append(button);
  }
  wrap.append(lab, held, ta, row, note);
  wrap.lock = (fixed) => {
    lab.textContent = fixed ? fixed.label : o.label;
    ta.readOnly = fixed !== null;
    row.hidden = fixed !== null;
    note.textContent = "";
    if (fixed) setText(fixed.text);
    else changed();
  };
  wrap.setText = setText;
  Object.defineProperty(wrap, "source", { get: () => heldSource ?? ta.value });
  Object.defineProperty(wrap, "isEmpty", { get: () => heldSource === null && ta.value.trim() === "" });
  return wrap;
}
