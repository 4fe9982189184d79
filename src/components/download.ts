/**
 * Saving a file the page made (a key, a case, a zip of cases) without a server: a Blob behind a temporary link. The
 * Check page's and the Problem sets page's download buttons.
 */

/** Saves `blob` as `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later, not at once: some engines read the Blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/** Saves `text` (UTF-8) as `name`. */
export const saveText = (text: string, name: string, type: string): void => saveBlob(new Blob([text], { type }), name);

/** A button that saves `blob` as `name`; disabled while `blob` is null (the file is still being made). */
export function downloadButton(label: string, name: string, blob: Blob | null | (() => Blob)): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "download";
  b.textContent = label;
  b.disabled = blob === null;
  b.addEventListener("click", () => {
    if (blob) saveBlob(typeof blob === "function" ? blob() : blob, name);
  });
  return b;
}
