// Lint for the project's own JavaScript: the loader, the worker, build scripts.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".cache/", ".venv/", "dist/", "dist.new/", "var/", "test-results/", "build/"] },
  js.configs.recommended,
  {
    // ES modules bundled by esbuild at build time; VERDICT_* are the build's --define constants.
    files: ["loader/**/*.js"],
    languageOptions: {
      sourceType: "module",
      globals: { ...globals.browser, ...globals.worker, VERDICT_BOOT: "readonly", VERDICT_ASSETS: "readonly", VERDICT_CSS: "readonly", VERDICT_RULES: "readonly", VERDICT_WORDS: "readonly" },
    },
  },
  {
    // The WordPress plugin's block editor script: a plain script on WordPress's editor page (wp.* is WordPress's).
    files: ["wordpress/**/*.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.browser } },
  },
  {
    // The example sites' configuration, run by their generators in Node (Docusaurus's is CommonJS).
    files: ["examples/**/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.node } },
  },
  { files: ["examples/docusaurus/docusaurus.config.js"], languageOptions: { sourceType: "commonjs" } },
  {
    // The React and Vue pages of the element's browser tests (bundled by esbuild at test time).
    files: ["tests/browser/frameworks/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.browser } },
  },
  {
    // The frameworks' server renders, run by Node.
    files: ["tests/browser/frameworks/*_server.js"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["**/*.mjs", "loader/**/*.mjs", "eslint.config.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.node, ...globals.browser } },
  },
  {
    // The loader's unit tests run in Node with the build's constants set as globals (tests/loader/units/setup.mjs).
    files: ["tests/loader/units/**/*.mjs"],
    languageOptions: { sourceType: "module", globals: { ...globals.node, VERDICT_RULES: "readonly", VERDICT_WORDS: "readonly" } },
  },
];
