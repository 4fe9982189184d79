/**
 * Where the Check page's problem-set panel (check-set.ts) goes. The panel and what it needs — the case generator and
 * the derivation's forward and backward passes, some 40 kB — are loaded only once the fragment is a problem-set link
 * (`#set&…`), on arrival or later: /check without one downloads none of it.
 */
import type { CheckPage } from "./check-session.js";

const SET_LINK = /(?:^#|&)set(?:[=&]|$)/;

export function problemSetSlot(ui: CheckPage): HTMLElement {
  const slot = document.createElement("div");
  slot.className = "problem-set-slot";
  const load = () => {
    if (!SET_LINK.test(location.hash)) return;
    removeEventListener("hashchange", load);
    void import("./check-set.js").then(({ problemSetPanel }) => slot.replaceChildren(problemSetPanel(ui)));
  };
  addEventListener("hashchange", load);
  load();
  return slot;
}
