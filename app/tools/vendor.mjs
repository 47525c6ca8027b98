// Copies the pinned libraries' ES modules from node_modules/ (installed by
// `npm ci` from package-lock.json) to vendor/, with their licences, so the
// browser loads them as plain files: no bundler, no build step to run the app.
// The one change made to a file is its bare import ("preact") turned into a
// relative one ("./preact.js"), because a browser cannot resolve bare names
// without an import map, and an import map would be an inline script, which
// the Content-Security-Policy forbids.
import { copyFileSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";

const here = new URL("..", import.meta.url).pathname;
const modules = here + "node_modules/";
const vendor = here + "public/vendor/";
mkdirSync(vendor, { recursive: true });

const files = [
  ["preact/dist/preact.module.js", "preact.js"],
  ["preact/hooks/dist/hooks.module.js", "preact-hooks.js"],
  ["htm/dist/htm.module.js", "htm.js"],
];
const lines = ["# Vendored libraries", "", "Made by `make vendor` from package-lock.json; do not edit by hand.", "",
  "| file | package | version | licence |", "|---|---|---|---|"];
for (const [source, target] of files) {
  const name = source.split("/")[0];
  const meta = JSON.parse(readFileSync(`${modules}${name}/package.json`, "utf8"));
  const text = readFileSync(modules + source, "utf8")
    .replaceAll('from"preact"', 'from"./preact.js"')
    .replace(/\/\/# sourceMappingURL=.*$/m, "");
  writeFileSync(vendor + target, `/* ${name} ${meta.version}, ${meta.license} licence: see ${name}.LICENSE */\n${text}`);
  copyFileSync(`${modules}${name}/LICENSE`, `${vendor}${name}.LICENSE`);
  lines.push(`| ${target} | ${name} | ${meta.version} | ${meta.license} |`);
}
writeFileSync(vendor + "VERSIONS.md", lines.join("\n") + "\n");
