/**
 * Makes an Observable Plot chart one image to assistive technology, named by `label`. Plot labels its marks'
 * <g> elements ("cell", "tick"), which axe rejects on elements without a role (aria-prohibited-attr); the numbers
 * a chart shows are always in a table beside it.
 */
export function asImage<T extends Element>(plot: T, label: string): T {
  for (const el of plot.querySelectorAll("[aria-label]")) el.removeAttribute("aria-label");
  const svg = plot.tagName.toLowerCase() === "svg" ? plot : plot.querySelector("svg");
  const target = svg ?? plot;
  target.setAttribute("role", "img");
  target.setAttribute("aria-label", label);
  return plot;
}
