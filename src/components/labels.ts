/** Axis labels: time steps carry their input token ("1·c"), vocabulary rows carry the token itself. */
export function stepLabels(labels: readonly string[], inputs: readonly number[]): string[] {
  return inputs.map((id, t) => `${t + 1}·${shown(labels[id]!)}`);
}

export function tokenLabels(labels: readonly string[]): string[] {
  return labels.map(shown);
}

export const indexLabels = (n: number): string[] => Array.from({ length: n }, (_, j) => String(j + 1));

/** A space is invisible on an axis; show it as ␣. */
const shown = (s: string) => (s === " " ? "␣" : s);
