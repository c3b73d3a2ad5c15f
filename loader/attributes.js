// The data-* attributes of a card: read, checked, merged. A bad value logs one
// console warning saying what the attribute accepts and what the card does
// instead; it never breaks a card. An element's own attributes win; the
// script tag's are page-wide defaults.

import { parseColour } from "./accent.js";
import { attributeOn } from "./hosts.js";
import { CTA_TEXT_MAX, DEFAULT_HEADING_LEVEL, DEFAULT_LAYOUT, DEFAULT_RESULTS, DEFAULT_THEME, HEADING_LEVELS, LAYOUTS, LOCALES,
  RESULTS, SECTIONS, THEMES, isSlug } from "./rules.js";

const LAZY = { true: true, false: false, viewport: "viewport", interaction: "interaction" };
const listed = (values) => values.slice(0, -1).join(", ") + " or " + values[values.length - 1];

export const DEFAULTS = Object.freeze({ bundle: null, comparison: null, endpoint: null, theme: DEFAULT_THEME,
  lazy: true, sections: null, headingLevel: DEFAULT_HEADING_LEVEL, accent: null, layout: DEFAULT_LAYOUT, locale: null,
  ctaUrl: null, ctaText: null, jsonld: "on", results: DEFAULT_RESULTS });

// Attributes whose change only restyles a rendered card (no new HTML).
export const STYLE_ONLY = new Set(["theme", "accent", "layout"]);

function url(value, protocols) {
  try {
    const parsed = new URL(value, document.baseURI);
    return protocols.includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

export const httpUrl = (value) => url(value, ["https:", "http:"]);

function languageTag(value) {
  try {
    const [tag] = Intl.getCanonicalLocales(value);
    return tag || null;
  } catch {
    return null;
  }
}

// A language tag whose language the engine speaks.
function supportedLocale(value) {
  const tag = languageTag(value);
  return tag && LOCALES.includes(tag.split("-")[0].toLowerCase()) ? tag : null;
}

const oneOf = (values) => (v) => (values.includes(v) ? v : null);
const quoted = (v) => `"${v}"`;

// Per attribute: `read` (the parsed value, or null when invalid), what it
// `accepts`, and what the card does with a value (`then`), in the publisher's words.
const ATTRIBUTES = {
  bundle: { read: httpUrl, accepts: "an http or https URL",
    then: (v) => (v ? `using ${v}` : "this card has no bundle and shows an error") },
  comparison: { read: (v) => (isSlug(v) ? v : null),
    accepts: "a comparison id: lowercase letters, digits and single hyphens",
    then: (v) => (v ? `showing ${quoted(v)}` : "showing the bundle's first comparison") },
  endpoint: { read: httpUrl, accepts: "an http or https URL",
    then: (v) => (v ? `using ${v}` : "the card shows no vote control") },
  theme: { read: oneOf(THEMES), accepts: listed(THEMES), then: (v) => `using ${quoted(v)}` },
  lazy: { read: (v) => (v in LAZY ? LAZY[v] : null), accepts: "true, false, viewport or interaction",
    then: (v) => `using ${quoted(v)}` },
  sections: {
    read: (v) => {
      const list = v.split(",").map((s) => s.trim()).filter(Boolean);
      return list.length && list.every((s) => SECTIONS.includes(s)) ? list : null;
    },
    accepts: `a comma-separated list of ${SECTIONS.join(", ")}`,
    then: (v) => (v ? `showing ${v.join(",")}` : "showing every section"),
  },
  headingLevel: { read: (v) => (HEADING_LEVELS.map(String).includes(v) ? Number(v) : null),
    accepts: `a number from ${HEADING_LEVELS[0]} to ${HEADING_LEVELS[HEADING_LEVELS.length - 1]}`,
    then: (v) => `using level ${v}` },
  accent: { read: (v) => (parseColour(v) ? v : null), accepts: "an opaque CSS colour such as #2f5bd3, rgb(47 91 211) or teal",
    then: (v) => (v ? `using ${v}` : "using the theme's accent colour") },
  layout: { read: oneOf(LAYOUTS), accepts: listed(LAYOUTS),
    then: (v) => `using ${quoted(v)}` },
  locale: { read: supportedLocale, accepts: `a language tag of ${LOCALES.join(", ")} (en-GB, de-AT… too)`,
    then: (v) => `using ${quoted(v)}` },
  ctaUrl: { read: (v) => url(v, ["https:", "http:", "mailto:"]), accepts: "an http, https or mailto link",
    then: (v) => (v ? `linking to ${v}` : "using the bundle's call to action") },
  ctaText: { read: (v) => (v && v.length <= CTA_TEXT_MAX ? v : null), accepts: `text of 1 to ${CTA_TEXT_MAX} characters`,
    then: (v) => (v ? `using ${quoted(v)}` : "using the bundle's call to action") },
  jsonld: { read: oneOf(["on", "off"]), accepts: "on or off",
    then: (v) => (v === "off" ? "adding no JSON-LD" : "adding the JSON-LD to the page") },
  results: { read: oneOf(RESULTS), accepts: listed(RESULTS),
    then: (v) => (v === "after-vote" ? "showing the community figures after the reader votes" : "always showing the community figures") },
};

export const attributeName = (key) => "data-" + key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
export const ATTRIBUTE_NAMES = Object.keys(ATTRIBUTES).map(attributeName);

// <verdict-card> takes the same attributes without "data-" (bundle, heading-level…).
export const ELEMENT_ATTRIBUTE_NAMES = ATTRIBUTE_NAMES.map((name) => name.slice(5));
const nameOn = (source, key) => attributeOn(source, attributeName(key).slice(5));

// One warning per element, attribute and value, however often it is read.
const warned = new WeakMap();
function warn(source, key, raw, fallback) {
  const seen = warned.get(source) || new Map();
  warned.set(source, seen);
  if (seen.get(key) === raw) return;
  seen.set(key, raw);
  const { accepts, then } = ATTRIBUTES[key];
  console.warn(`Verdict: ${nameOn(source, key)}="${raw}" is not valid: it takes ${accepts}; ${then(fallback)}.`);
}

// The page's language (<html lang>), the default locale.
export function pageLocale() {
  return languageTag(document.documentElement.lang || "en") || "en";
}

// The card's settings: defaults, then the script tag's attributes, then the
// element's (data-* on a placeholder, the bare names on <verdict-card>), then the caller's overrides (Verdict.render's second argument).
export function readConfig(script, el, overrides) {
  const config = {};
  for (const key of Object.keys(DEFAULTS)) {
    let value = key === "locale" ? pageLocale() : DEFAULTS[key];
    for (const source of [script, el]) {
      const raw = source && source.getAttribute(nameOn(source, key));
      if (raw === null || !source) continue;
      const parsed = ATTRIBUTES[key].read(raw.trim());
      if (parsed === null) warn(source, key, raw, value);
      else value = parsed;
    }
    if (overrides && key in overrides) value = overrides[key];
    config[key] = value;
  }
  return config;
}
