/**
 * The reader's colour theme: System (follow the operating system's preference), Light or Dark. The choice is the
 * `data-theme` attribute of <html>, which src/theme.css turns into `color-scheme`; it is remembered in
 * localStorage under THEME_KEY. The head of every page sets the attribute from storage with a tiny inline script
 * (scripts/theme-toggle.ts) before the body is parsed, so no page ever paints in the wrong theme; this module,
 * loaded once per page like permalink.js, only answers the header's button.
 */

export const THEME_KEY = "bptt-theme";
export const THEME_CHOICES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

/** What a stored value means: anything but "light" or "dark" (nothing stored, storage refused) is System. */
export function parseChoice(stored: string | null | undefined): ThemeChoice {
  return stored === "light" || stored === "dark" ? stored : "system";
}

/** The button cycles System → Light → Dark → System. */
export function nextChoice(choice: ThemeChoice): ThemeChoice {
  return THEME_CHOICES[(THEME_CHOICES.indexOf(choice) + 1) % THEME_CHOICES.length]!;
}

export function currentChoice(root: HTMLElement = document.documentElement): ThemeChoice {
  return parseChoice(root.dataset.theme);
}

/** Applies and remembers `choice`; System is remembered by forgetting, so a new default would reach the reader. */
export function setChoice(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = choice;
  try {
    if (choice === "system") localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, choice);
  } catch {
    // Storage refused (private mode, a sandboxed frame): the choice holds for this page only.
  }
  const status = document.querySelector(".theme-status");
  if (status) status.textContent = `${choice[0]!.toUpperCase()}${choice.slice(1)} theme`;
}

if (typeof document !== "undefined") {
  // Delegated, so it works whenever the header is parsed and whatever else rebuilds it.
  document.addEventListener("click", (event) => {
    if ((event.target as Element | null)?.closest?.(".theme-toggle")) setChoice(nextChoice(currentChoice()));
  });
  // Another tab changed the choice: follow it, as a reload would (an embed keeps its link's theme, as a reload would).
  addEventListener("storage", (event) => {
    if (document.documentElement.hasAttribute("data-embed")) return;
    if (event.key === THEME_KEY || event.key === null) document.documentElement.dataset.theme = parseChoice(event.newValue);
  });
}
