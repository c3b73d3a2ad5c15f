// A Verdict card in the inline form, for JavaScript site generators (Eleventy,
// Astro, Docusaurus) at site build time, from a bundle's inline kit
// (dist/inline/<bundle>.json, which the widget's build renders with the
// engine). No dependencies; runs in Node and in a bundler alike.
//
//   verdictCard(kit, { bundle: "comparisons", comparison: "…", theme: "dark" },
//               { widget: "https://widget.example.com/verdict/", endpoint: "https://votes.example.com" })
//
// returns the placeholder holding the card's declarative shadow root and its
// JSON-LD: the card paints with the page (no layout shift), reads without
// JavaScript, and the loader adopts it in place. Every value is checked as the
// loader checks the attribute; a bad one throws, so the site build stops
// instead of publishing a card other than the one asked for. The rules it
// checks by (ids, sections, themes, layouts, heading levels, the call to
// action's length, locales) are the engine's, carried by the kit
// (kit.rules: verdict.rules.loader_rules()); none is written here.

const BLOCKS = ["scorecard", "vote", "cta"]; // the sections whose order data-sections sets
const COLOUR = /^(?:#[0-9A-Fa-f]{3,8}|[A-Za-z]+|[a-z-]+\([0-9A-Za-z.,%/ +-]*\))$/;
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$/;
export const ATTRIBUTES = ["bundle", "comparison", "endpoint", "theme", "lazy", "sections", "heading-level", "accent",
  "layout", "locale", "cta-url", "cta-text", "jsonld"];

const escapeHtml = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
  .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
const httpUrl = (v) => /^https?:\/\/\S+$/.test(v) && !v.includes("<");
const oneOf = (...values) => [(v) => values.includes(v), values.join(", ").replace(/, ([^,]*)$/, " or $1")];
// The engine's locale for a language tag (verdict.i18n.resolve_locale, as loader/rules.js has it).
const engineLocale = (rules, tag) => {
  const language = tag.trim().replace(/_/g, "-").split("-")[0].toLowerCase();
  return rules.locales.includes(language) ? language : rules.defaultLocale;
};
const sectionList = (v) => v.split(",").map((s) => s.trim()).filter(Boolean);

export function verdictCard(kit, attributes, site = {}) {
  if (!kit || kit.format !== "verdict-inline/1") {
    throw new Error("verdict: not an inline kit (dist/inline/<bundle>.json of the widget's build)");
  }
  const rules = kit.rules;
  if (!rules) {
    throw new Error("verdict: the inline kit carries no rules: it comes from an older widget build "
      + "(use the kit and verdict-inline.mjs of one build)");
  }
  const slug = new RegExp(`^(?:${rules.slug})$`);
  const levels = rules.headingLevels.map(String);
  const value = {};
  for (const [name, raw] of Object.entries(attributes)) {
    if (raw === undefined || raw === null) continue;
    if (!ATTRIBUTES.includes(name)) throw new Error(`verdict: unknown attribute "${name}": a card takes ${ATTRIBUTES.join(", ")}`);
    value[name] = String(raw).trim();
  }
  const bad = (name, accepts) => new Error(`verdict: data-${name}="${value[name]}" is not valid: it takes ${accepts}`);
  const widget = String(site.widget || "");
  if (!httpUrl(widget)) throw new Error(`verdict: the widget setting takes the widget host's http(s) URL (got "${widget}")`);
  const base = widget.endsWith("/") ? widget : widget + "/";
  if (!value.bundle || !slug.test(value.bundle)) throw bad("bundle", "the name of a bundle of the widget host's bundles/");
  const comparison = value.comparison ?? kit.first;
  if (!kit.comparisons.includes(comparison)) {
    throw new Error(`verdict: bundle ${value.bundle}: no comparison '${comparison}' (known: ${kit.comparisons.join(", ")})`);
  }
  const checks = {
    endpoint: [httpUrl, "an http or https URL"],
    theme: oneOf(...rules.themes),
    lazy: oneOf("true", "false", "interaction"),
    layout: oneOf(...rules.layouts),
    jsonld: oneOf("on", "off"),
    "heading-level": [(v) => levels.includes(v), `a number from ${levels[0]} to ${levels.at(-1)}`],
    accent: [(v) => COLOUR.test(v), "an opaque CSS colour such as #2f5bd3, rgb(47 91 211) or teal"],
    "cta-url": [(v) => /^(https?:\/\/|mailto:)\S+$/i.test(v) && v.length <= 2000, "an absolute http, https or mailto link"],
    "cta-text": [(v) => v.length > 0 && v.length <= rules.ctaTextMax, `text of 1 to ${rules.ctaTextMax} characters`],
    locale: [(v) => LANGUAGE_TAG.test(v) && rules.locales.includes(v.split(/[-_]/)[0].toLowerCase()),
      `a language tag of ${rules.locales.join(", ")} (en-GB, de-AT… too)`],
    sections: [(v) => sectionList(v).length > 0 && sectionList(v).every((s) => rules.sections.includes(s)),
      `a comma-separated list of ${rules.sections.join(", ")}`],
  };
  for (const [name, [valid, accepts]] of Object.entries(checks)) {
    if (name in value && !valid(value[name])) throw bad(name, accepts);
  }
  const endpoint = value.endpoint ?? site.endpoint ?? null;
  if (endpoint !== null && !httpUrl(endpoint)) throw new Error(`verdict: the endpoint setting takes an http or https URL`);
  const locale = value.locale ?? site.locale ?? rules.defaultLocale;
  const language = engineLocale(rules, locale);
  const level = value["heading-level"] ?? String(rules.defaultHeadingLevel);
  let card = kit.cards[level][comparison][language][endpoint ? "voting" : "static"];
  card = withCallToAction(card, kit.cta, value["cta-url"], value["cta-text"]);

  const sections = value.sections ? sectionList(value.sections) : null;
  const frame = [`class="vd-root"`, `data-theme="${escapeHtml(value.theme ?? rules.defaultTheme)}"`];
  if (value.layout && value.layout !== rules.defaultLayout) frame.push(`data-layout="${escapeHtml(value.layout)}"`);
  if (sections) {
    // As the loader's frame does: the stylesheet hides the sections left out and orders the blocks.
    frame.push(`data-sections="${sections.join(" ")}"`);
    const order = sections.filter((s) => BLOCKS.includes(s)).map((s, i) => `--vd-order-${s}:${i + 1}`);
    if (order.join() !== BLOCKS.filter((s) => sections.includes(s)).map((s, i) => `--vd-order-${s}:${i + 1}`).join()) {
      frame.push(`style="${order.join(";")}"`);
    }
  }
  const placeholder = { ...value, bundle: `${base}bundles/${value.bundle}.json`, comparison, locale };
  if (endpoint) placeholder.endpoint = endpoint;
  const attrs = ATTRIBUTES.filter((name) => name in placeholder)
    .map((name) => ` data-${name}="${escapeHtml(placeholder[name])}"`).join("");
  const jsonld = value.jsonld === "off" ? "" : `<script type="application/ld+json">${kit.jsonld[comparison]}</script>`;
  return `<div data-verdict${attrs}><template shadowrootmode="open"><style>${kit.css}</style>`
    + `<div ${frame.join(" ")}><div class="vd-body">${card}</div>`
    + `<div class="vd-live" role="status" aria-live="polite"></div></div></template>${jsonld}</div>`;
}

// The loader's script tag, once per page that has a card.
export function verdictScript(site) {
  const widget = String(site.widget || "");
  return `<script src="${escapeHtml(widget.endsWith("/") ? widget : widget + "/")}embed.js" async></script>`;
}

// data-cta-url / data-cta-text on the bundle's call to action, as the engine renders them.
function withCallToAction(card, cta, url, text) {
  if (url === undefined && text === undefined) return card;
  if (!cta) {
    throw new Error("verdict: the bundle has no call to action: data-cta-url and data-cta-text need one in the bundle "
      + "(site.cta) with this form");
  }
  let out = card;
  if (url !== undefined) out = out.replace(cta.button, `part="cta-button" href="${escapeHtml(url)}"`);
  if (text !== undefined) {
    const line = text.split(/\s+/).filter(Boolean).join(" ").slice(0, cta.text_max);
    out = out.replace(cta.line, `${cta.open}<p dir="auto">${escapeHtml(line)}</p>`);
  }
  return out;
}
