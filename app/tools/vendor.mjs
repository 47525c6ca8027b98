// Copies the pinned libraries' ES modules from node_modules/ (installed by
// `npm ci` from package-lock.json) to vendor/, with their licences, so the
// browser loads them as plain files: no bundler, no build step to run the app.
// The one change made to a file is its bare import ("preact") turned into a
// relative one ("./preact.js"), because a browser cannot resolve bare names
// without an import map, and an import map would be an inline script, which
// the Content-Security-Policy forbids.
import { copyFileSync, existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";

const here = new URL("..", import.meta.url).pathname;
const modules = here + "node_modules/";
const vendor = here + "public/vendor/";
mkdirSync(vendor, { recursive: true });

// [package, file in the package, file in vendor/, {import as written: as vendored}]
const files = [
  ["preact", "dist/preact.module.js", "preact.js", {}],
  ["preact", "hooks/dist/hooks.module.js", "preact-hooks.js", { 'from"preact"': 'from"./preact.js"' }],
  ["htm", "dist/htm.module.js", "htm.js", {}],
  // The desk's network map (issue 15).
  ["cytoscape", "dist/cytoscape.esm.min.mjs", "cytoscape.js", {}],
  // The desk's charts: Chart.js and the colour library it imports.
  ["@kurkle/color", "dist/color.esm.js", "kurkle-color.js", {}],
  ["chart.js", "dist/chunks/index.js", "chart-helpers.js", { "from '@kurkle/color'": "from './kurkle-color.js'" }],
  ["chart.js", "dist/chart.js", "chart.js", {
    "from './chunks/index.js'": "from './chart-helpers.js'",
    "import '@kurkle/color';": "import './kurkle-color.js';",
  }],
];
const lines = ["# Vendored libraries", "", "Made by `make vendor` from package-lock.json; do not edit by hand.", "",
  "| file | package | version | licence |", "|---|---|---|---|"];
for (const [name, source, target, imports] of files) {
  const meta = JSON.parse(readFileSync(`${modules}${name}/package.json`, "utf8"));
  let text = readFileSync(`${modules}${name}/${source}`, "utf8").replace(/\/\/# sourceMappingURL=.*$/m, "");
  for (const [bare, relative] of Object.entries(imports)) {
    if (!text.includes(bare)) throw new Error(`${name}/${source} no longer imports ${bare}: check vendor.mjs`);
    text = text.replaceAll(bare, relative);
  }
  const licence = name.replace("@", "").replace("/", "-") + ".LICENSE";
  writeFileSync(vendor + target, `/* ${name} ${meta.version}, ${meta.license} licence: see ${licence} */\n${text}`);
  const licenceFile = existsSync(`${modules}${name}/LICENSE`) ? "LICENSE" : "LICENSE.md";
  copyFileSync(`${modules}${name}/${licenceFile}`, vendor + licence);
  lines.push(`| ${target} | ${name} | ${meta.version} | ${meta.license} |`);
}
writeFileSync(vendor + "VERSIONS.md", lines.join("\n") + "\n");
