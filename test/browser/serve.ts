/**
 * A static server for `dist/` on 127.0.0.1 that resolves Framework's clean URLs (`/forward` → forward.html),
 * as GitHub Pages and most static hosts do. Test-only: it serves nothing outside the folder.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
  ".woff2": "font/woff2", ".svg": "image/svg+xml", ".png": "image/png", ".txt": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8", ".cff": "text/plain; charset=utf-8",
};

export function resolveFile(dir: string, urlPath: string): string | null {
  const path = normalize(decodeURIComponent(urlPath)).replace(/^(\.\.[/\\])+/, "");
  const base = resolve(dir, "." + path);
  if (!base.startsWith(resolve(dir))) return null;
  for (const candidate of [base, `${base}.html`, join(base, "index.html")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

export async function serveDist(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const file = resolveFile(dir, new URL(req.url ?? "/", "http://x").pathname);
    if (!file) {
      const notFound = resolveFile(dir, "/404");
      res.writeHead(404, { "content-type": TYPES[".html"]! });
      if (notFound) createReadStream(notFound).pipe(res);
      else res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}
