// The engine's rules that the loader applies too, as the build hands them over
// (VERDICT_RULES, from widget/verdict/rules.py): the loader defines none of
// its own. The one piece of logic here, the locale a tag resolves to, is
// verdict.i18n.resolve_locale's, over the engine's own list of locales
// (tests/loader checks the two agree).

export const SLUG = new RegExp(`^(?:${VERDICT_RULES.slug})$`);
export const CTA_TEXT_MAX = VERDICT_RULES.ctaTextMax;
export const HEADING_LEVELS = VERDICT_RULES.headingLevels;
export const DEFAULT_HEADING_LEVEL = VERDICT_RULES.defaultHeadingLevel;
export const SECTIONS = VERDICT_RULES.sections;
export const RESULTS = VERDICT_RULES.results;
export const DEFAULT_RESULTS = VERDICT_RULES.defaultResults;
export const THEMES = VERDICT_RULES.themes;
export const DEFAULT_THEME = VERDICT_RULES.defaultTheme;
export const LAYOUTS = VERDICT_RULES.layouts;
export const DEFAULT_LAYOUT = VERDICT_RULES.defaultLayout;
export const FRAME_ATTRIBUTES = VERDICT_RULES.frameAttributes;
export const LOCALES = VERDICT_RULES.locales;

// A comparison, tool or bundle id (the bundle's models also bound its length).
export const isSlug = (value) => typeof value === "string" && SLUG.test(value);

// The engine's locale for a language tag: its language subtag when the engine speaks it, else the default.
export function engineLocale(tag) {
  if (typeof tag !== "string") return VERDICT_RULES.defaultLocale;
  const language = tag.trim().replace(/_/g, "-").split("-")[0].toLowerCase();
  return LOCALES.includes(language) ? language : VERDICT_RULES.defaultLocale;
}
