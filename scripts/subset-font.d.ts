// subset-font ships no types; this is the one call scripts/katex-subset.ts makes (its README's signature).
declare module "subset-font" {
  export default function subsetFont(
    font: Buffer, text: string, options?: { targetFormat?: "sfnt" | "woff" | "woff2" | "truetype" },
  ): Promise<Buffer>;
}
