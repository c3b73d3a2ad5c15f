// Lint for the project's own JavaScript: the loader, the worker, build scripts.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".cache/", ".venv/", "dist/", "dist.new/", "var/", "test-results/"] },
  js.configs.recommended,
  {
    files: ["loader/**/*.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ["**/*.mjs", "loader/**/*.mjs", "eslint.config.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.node, ...globals.browser } },
  },
];
