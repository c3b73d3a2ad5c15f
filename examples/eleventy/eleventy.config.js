// A minimal Eleventy site with a Verdict card on a post (src/posts/card.md), written by the
// `verdict` shortcode from the bundle's inline kit, verdict/<bundle>.json: a copy of the widget
// host's inline/<bundle>.json, read by lib/verdict-inline.mjs (the widget host's inline/verdict-inline.mjs).
import { readdirSync, readFileSync } from "node:fs";
import { verdictCard, verdictScript } from "./lib/verdict-inline.mjs";

// The widget host's dist/ (the loader is <widget>embed.js) and the vote endpoint.
const site = {
  widget: process.env.VERDICT_WIDGET || "http://127.0.0.1:8001/",
  endpoint: process.env.VERDICT_ENDPOINT || "http://127.0.0.1:8002",
  locale: "en",
};
const kits = Object.fromEntries(readdirSync("verdict").filter((f) => f.endsWith(".json"))
  .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(`verdict/${f}`, "utf8"))]));

export default function (eleventyConfig) {
  const pagesWithScript = new Set();
  // {% verdict { bundle: "comparisons", comparison: "…", theme: "dark" } %}: a bad value throws, failing the build.
  eleventyConfig.addShortcode("verdict", function (attributes) {
    const kit = kits[attributes.bundle];
    if (!kit) throw new Error(`verdict: no inline kit for bundle "${attributes.bundle}": copy the widget host's inline/${attributes.bundle}.json to verdict/`);
    let html = verdictCard(kit, attributes, site);
    if (!pagesWithScript.has(this.page.inputPath)) { // the loader's script tag, once per page
      pagesWithScript.add(this.page.inputPath);
      html += verdictScript(site);
    }
    return html;
  });
  return { markdownTemplateEngine: "njk", dir: { input: "src", output: "_site" } };
}
