// Bundles the CLI (and benchmarks) with esbuild, and proves the engine core bundles for a
// browser: a platform=browser build of src/browser-entry.ts fails on any Node import.
import { build } from 'esbuild';
import { copyFileSync, readdirSync } from 'node:fs';

// Whitespace/syntax minification halves the parse time of a cold CLI start; names stay readable.
const common = { bundle: true, format: 'esm', target: 'node20', sourcemap: false, logLevel: 'warning', minifyWhitespace: true, minifySyntax: true };

await build({
  ...common,
  platform: 'node',
  entryPoints: { cli: 'src/node/cli-entry.ts', crosstalkd: 'src/node/daemon-entry.ts', bench: 'bench/run.ts' },
  outdir: 'dist',
  external: ['better-sqlite3'],
  banner: { js: "import { createRequire as __ctCreateRequire } from 'node:module'; const require = __ctCreateRequire(import.meta.url);" },
});

await build({
  ...common,
  platform: 'browser',
  target: 'es2022',
  entryPoints: { 'crosstalk-browser': 'src/browser-entry.ts' },
  outdir: 'dist',
});

// The container shim runs as its own python process: shim.py and its modules (shim_*.py).
for (const f of readdirSync('src/platform/linux/container').filter((n) => /^shim(_\w+)?\.py$/.test(n))) {
  copyFileSync(`src/platform/linux/container/${f}`, `dist/${f}`);
}
