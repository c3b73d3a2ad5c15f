// Lint for the project's own JavaScript: the loader, the worker, build scripts.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".cache/", ".venv/", "dist/", "dist.new/", "var/", "test-results/"] },
  js.configs.recommended,
  {
    // ES modules bundled by esbuild at build time; VERDICT_* are the build's --define constants.
    files: ["loader/**/*.js"],
    languageOptions: {
      sourceType: "module",
      globals: { ...globals.browser, ...globals.worker, VERDICT_BOOT: "readonly", VERDICT_ASSETS: "readonly", VERDICT_CSS: "readonly", VERDICT_LOCALES: "readonly", VERDICT_WORDS: "readonly" },
    },
  },
  {
    // The React and Vue pages of the element's browser tests (bundled by esbuild at test time).
    files: ["tests/browser/frameworks/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.browser } },
  },
  {
    files: ["tests/browser/frameworks/react_server.js"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["**/*.mjs", "loader/**/*.mjs", "eslint.config.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.node, ...globals.browser } },
  },
];
