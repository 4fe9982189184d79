/**
 * Running the "Reproduce in PyTorch" scripts in the tests: one Python process runs many scripts (PyTorch takes a
 * second to import, a script a fraction of that), each as `python3 script.py` would run it — its own globals,
 * `__name__ == "__main__"`, its output captured and its exit status kept — and a helper that changes one number of
 * a script's PAGE dict, as a corrupted download would.
 */
import { pyNumber } from "../../lib/tools/pytorch-python.js";
import { runPython } from "../torch.js";

export interface ScriptRun {
  status: number;
  stdout: string;
}

const DRIVER = String.raw`
import contextlib, io, json, sys
results = []
for text in json.load(sys.stdin):
    out = io.StringIO()
    status = 0
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(text, "script.py", "exec"), {"__name__": "__main__"})
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    results.append({"status": status, "stdout": out.getvalue()})
json.dump(results, sys.stdout)
`;

/** Runs every script in one Python process; throws with Python's error output if the process itself fails. */
export function runScripts(texts: readonly string[]): ScriptRun[] {
  const r = runPython(["-c", DRIVER], JSON.stringify(texts));
  if (r.status !== 0) throw new Error(`the Python driver failed (status ${r.status}): ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as ScriptRun[];
}

/** Runs one script as its own process (`python3 -`, the script on stdin): exit status, output and errors. */
export function runScript(text: string): ScriptRun & { stderr: string } {
  const r = runPython(["-"], text);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The script with the first number of quantity `name` in its PAGE dict replaced by `change(number)`: the number the
 * page showed, as if it had been wrong. Throws if the script has no such line.
 */
export function corrupt(text: string, name: string, change: (v: number) => number): { text: string; was: number; now: number } {
  const prefix = `    ${JSON.stringify(name)}: `;
  const at = text.split("\n").findIndex((line) => line.startsWith(prefix));
  if (at < 0) throw new Error(`no PAGE line for ${name}`);
  const lines = text.split("\n");
  const rest = lines[at]!.slice(prefix.length);
  const m = /-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/.exec(rest)!;
  const was = Number(m[0]), now = change(was);
  lines[at] = prefix + rest.slice(0, m.index) + pyNumber(now) + rest.slice(m.index + m[0].length);
  return { text: lines.join("\n"), was, now };
}
