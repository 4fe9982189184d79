/**
 * src/components/heatmap.ts writes every character's position of a heatmap's labels and numbers to the hundredth
 * from integers (`hundredths`); it must write exactly what String(Math.round(x * 100) / 100) writes, which is what
 * the engines' layout tests (test/browser/engines-pages.test.ts) were checked against.
 */
import { describe, expect, it } from "vitest";
import { hundredths } from "../src/components/heatmap.js";

const plain = (x: number) => String(Math.round(x * 100) / 100);

describe("hundredths", () => {
  it("writes every hundredth from 0 to 20 000 px as String does", () => {
    for (let h = 0; h < 2_000_000; h++) if (hundredths(h / 100) !== plain(h / 100)) expect(hundredths(h / 100)).toBe(plain(h / 100));
  });

  it("rounds as Math.round does, including halves, negatives and sizes beyond any page", () => {
    for (const x of [0.005, 0.015, 1.005, 12.345, 99.995, -0.004, -0.005, -0.006, -3.21, -1234.5, 1e7 + 0.125, 2e9, 1e21, 1e-9, -0])
      expect(hundredths(x), String(x)).toBe(plain(x));
  });
});
