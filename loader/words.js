// The loader's own few sentences (the skeleton, its error cards) in the
// card's language. English is the source text; the build fills VERDICT_WORDS
// with their translations from the engine's catalogues (widget/locales/*.po),
// keyed by the English text, for the language subtag the engine would use.

function language(locale) {
  const code = String(locale || "en").toLowerCase().split(/[-_]/)[0];
  return Object.hasOwn(VERDICT_WORDS, code) ? code : "en";
}

// `english` in the language of `locale`, and that language's code (for `lang`).
export function say(locale, english) {
  const code = language(locale);
  const words = VERDICT_WORDS[code] || {};
  return Object.hasOwn(words, english) ? [words[english], code] : [english, "en"];
}
