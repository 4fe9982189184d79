/**
 * A problem set on the Check page. A link `check#set&…&student=ID` (lib/state/problem-set-config.ts, made by the
 * Problem sets page) makes the page derive the student's case itself — it is a function of the set's settings and
 * the id (lib/tools/problem-set.ts), so no server and no key file are needed — and put it, read-only, in the case
 * box; a link without a student asks for the id. In the set's "hide" mode the page shows only which entries of the
 * student's answer are wrong (src/components/check-session.ts).
 *
 * A link or id that cannot be used gets one line naming the parameter, and the page keeps what it showed before.
 */
import { messageOf } from "../lib/state/query.js";
import { type LinkedSet, checkStudent, readSetFragment } from "../lib/state/problem-set-config.js";
import { answerTemplate, studentCaseText, studentSeed } from "../lib/tools/problem-set.js";
import { QUANTITIES } from "../lib/tools/compare-answer.js";
import { type CheckPage, el } from "./check-session.js";
import { saveText } from "./download.js";

const H0_TEXT = { zeros: "zeros", "point-one": "0.1 · ones" } as const;

function summary(set: LinkedSet): string {
  const { vocab, dModel, hidden, tau } = set.sizes;
  const asked = set.ask.map((k) => QUANTITIES.find((q) => q.key === k)!.key).join(", ");
  return `vocab = ${vocab}, d_model = ${dModel}, hidden = ${hidden}, τ = ${tau}, h⁽⁰⁾ = ${H0_TEXT[set.h0]}, base seed ${set.seed}; asked: ${asked}. `
    + (set.mode === "hide"
      ? "Your lecturer chose that this check say which of your entries are wrong, without showing the key's values."
      : "This check shows the key's values beside yours.");
}

/** The fragment with its `student` set to `id` (the other parameters as they were). */
function withStudent(hash: string, id: string): string {
  const rest = hash.replace(/^#/, "").split("&").filter((p) => p !== "" && !p.startsWith("student=") && p !== "student");
  return `#${[...rest, `student=${encodeURIComponent(id)}`].join("&")}`;
}

export function problemSetPanel(ui: CheckPage): HTMLElement {
  const panel = el("section", { class: "problem-set-panel", id: "problem-set", "aria-labelledby": "problem-set-title" });
  const title = el("h2", { id: "problem-set-title" }, "Your problem set");
  const about = el("p", { class: "problem-set-summary", id: "problem-set-summary" });
  const input = el("input", { id: "set-student", name: "student", type: "text", autocomplete: "off", spellcheck: "false" });
  const form = el("form", { class: "problem-set-student", "aria-label": "Your student id" },
    el("label", { for: "set-student" }, "Your student id"), input, el("button", { type: "submit" }, "Open my case"));
  const status = el("p", { class: "input-message", id: "set-message" });
  const template = el("button", { type: "button", id: "set-template" }, "Start my answer from a template");
  const download = el("button", { type: "button", id: "set-case-download" }, "Download my case (JSON)");
  const leave = el("a", { href: "#", id: "set-leave" }, "Leave the problem set");
  const tools = el("p", { class: "problem-set-tools" }, template, " ", download, " ", leave);
  panel.append(title, about, form, status, tools);

  /** The last set and student that could be used: what the page shows. */
  let good: { set: LinkedSet; student: string | null } | null = null;

  const say = (text: string, error: boolean) => {
    status.textContent = text;
    status.className = `input-message ${error ? "input-error" : "input-ok"}`;
    status.setAttribute("role", error ? "alert" : "status");
  };
  const refuse = (e: unknown, kept: string) => say(`${messageOf(e)} — ${kept}`, true);

  function show(set: LinkedSet, student: string | null) {
    good = { set, student };
    panel.hidden = false;
    about.textContent = summary(set);
    input.value = student ?? "";
    template.disabled = download.disabled = student === null;
    if (student === null) {
      ui.fixCase(null, set.mode === "hide");
      say("Enter your student id to open your case.", false);
      return;
    }
    ui.fixCase({ text: studentCaseText(set, student), label: `Your case: student ${student} (seed ${studentSeed(set.seed, student)})` }, set.mode === "hide");
    say(`Your case is in the box below; paste your answer under it.`, false);
  }

  function fromLink() {
    let r: ReturnType<typeof readSetFragment>;
    try {
      r = readSetFragment(location.hash);
    } catch (e) {
      panel.hidden = false;
      if (!good) about.textContent = "";
      refuse(e, good ? "keeping the problem set shown before." : "the link's problem set was not used.");
      return;
    }
    if (r === null) {
      if (good) ui.fixCase(null, false);
      good = null;
      panel.hidden = true;
      return;
    }
    show(r.set, r.student);
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!good) return;
    const id = input.value.trim();
    let student: string;
    try {
      student = checkStudent(good.set, id);
    } catch (err) {
      input.setAttribute("aria-invalid", "true");
      refuse(err, good.student === null ? "no case opened." : `still showing the case of student ${good.student}.`);
      return;
    }
    input.removeAttribute("aria-invalid");
    history.replaceState(history.state, "", withStudent(location.hash, student));
    show(good.set, student);
  });
  template.addEventListener("click", () => {
    if (good) ui.answerInput.setText(answerTemplate(good.set));
  });
  download.addEventListener("click", () => {
    if (good?.student) saveText(studentCaseText(good.set, good.student), `case-${good.student}.json`, "application/json");
  });
  leave.addEventListener("click", (e) => {
    e.preventDefault();
    history.pushState(history.state, "", location.pathname + location.search);
    fromLink();
  });
  addEventListener("hashchange", fromLink);
  panel.hidden = true;
  fromLink();
  return panel;
}
