/**
 * "Reproduce in PyTorch": a button under a page's settings that downloads a Python script for the configuration on
 * screen (lib/tools/pytorch-script.ts for the main derivation, lib/tools/pytorch-stacked-script.ts for /stacked). The
 * script carries lib's numbers, the truth the page checks against, not what a reader's edited function gave; the
 * note beside the button says so. The generator is loaded on the first press, so a page does not carry it.
 */
import type { Example } from "../lib/state/example.js";
import type { StackedExample } from "../lib/state/stacked-config.js";
import type { PythonScript } from "../lib/tools/pytorch-python.js";
import { messageOf } from "../lib/state/query.js";
import { el, elem } from "./dom.js";

/** Hands the script to the browser as a download named by its configuration. */
function save({ filename, text }: PythonScript): void {
  const a = elem("a", { href: URL.createObjectURL(new Blob([text], { type: "text/x-python" })), download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/** The button, its status line and the note that says what the script holds; `model` and `where` word the note. */
function reproduceButton(make: () => Promise<PythonScript>, model: string, where: string): HTMLElement {
  const status = el("span", "pytorch-status");
  status.setAttribute("role", "status");
  const button = elem("button", { type: "button", className: "pytorch-button", textContent: "Reproduce in PyTorch" });
  button.setAttribute("aria-describedby", "pytorch-note");
  button.onclick = async () => {
    button.disabled = true;
    status.textContent = "";
    try {
      const script = await make();
      save(script);
      status.textContent = `Saved ${script.filename}: run it with python3 and PyTorch.`;
    } catch (error) {
      status.textContent = `No script: ${messageOf(error)}`;
    } finally {
      button.disabled = false;
    }
  };
  const note = el("small", "pytorch-note",
    `A Python script for this configuration: it builds ${model} from torch.nn modules, runs loss.backward() and checks every ` +
    `number of ${where} with torch.allclose. It carries the site's own numbers: a function you edited is not in them.`);
  note.id = "pytorch-note";
  return elem("div", { className: "pytorch-reproduce no-print" }, elem("div", { className: "pytorch-actions" }, button, status), note);
}

/** The button of the main derivation's pages, for the configuration of their form. */
export function pytorchButton(ex: Example): HTMLElement {
  return reproduceButton(async () => (await import("../lib/tools/pytorch-script.js")).pytorchScript(ex), "the RNN", "these pages");
}

/** The button of /stacked, for the configuration of its form. */
export function stackedPytorchButton(ex: StackedExample): HTMLElement {
  return reproduceButton(async () => (await import("../lib/tools/pytorch-stacked-script.js")).stackedPytorchScript(ex), "the stacked RNN", "this page");
}
