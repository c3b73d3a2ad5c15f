// The data-* attributes of a card: read, checked, merged. A bad value logs a
// console warning naming the attribute and falls back; it never breaks a card.
// An element's own attributes win; the script tag's are page-wide defaults.

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const THEMES = ["light", "dark", "auto"];
const SECTIONS = ["figures", "description", "scorecard", "vote", "cta"];
const LAZY = { true: true, false: false, interaction: "interaction" };
const SWITCH = ["on", "off"];

export const DEFAULTS = Object.freeze({ bundle: null, comparison: null, endpoint: null, theme: "light", lazy: true,
  sections: null, headingLevel: 2, jsonld: "on" });

export function httpUrl(value) {
  try {
    const url = new URL(value, document.baseURI);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

// One reader per attribute: the parsed value, or null when it is not valid.
const READERS = {
  bundle: httpUrl,
  comparison: (v) => (SLUG.test(v) ? v : null),
  endpoint: httpUrl,
  theme: (v) => (THEMES.includes(v) ? v : null),
  lazy: (v) => (v in LAZY ? LAZY[v] : null),
  sections: (v) => {
    const list = v.split(",").map((s) => s.trim()).filter(Boolean);
    return list.length && list.every((s) => SECTIONS.includes(s)) ? list : null;
  },
  headingLevel: (v) => (/^[1-6]$/.test(v) ? Number(v) : null),
  jsonld: (v) => (SWITCH.includes(v) ? v : null),
};

export const attributeName = (key) => "data-" + key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());

function warn(attribute, value, fallback) {
  console.warn(`Verdict: ignoring ${attribute}="${value}"; using ${fallback === null ? "none" : fallback}.`);
}

// The card's settings: defaults, then the script tag's attributes, then the
// element's, then the caller's overrides (Verdict.render's second argument).
export function readConfig(script, el, overrides) {
  const config = {};
  for (const key of Object.keys(DEFAULTS)) {
    let value = DEFAULTS[key];
    for (const source of [script, el]) {
      const raw = source && source.getAttribute(attributeName(key));
      if (raw === null || !source) continue;
      const parsed = READERS[key](raw.trim());
      if (parsed === null) warn(attributeName(key), raw, value);
      else value = parsed;
    }
    if (overrides && key in overrides) value = overrides[key];
    config[key] = value;
  }
  return config;
}
