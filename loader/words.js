// The loader's own few sentences (the skeleton, its error cards) in the
// card's language. English is the source text; the build fills VERDICT_WORDS
// with their translations from the engine's catalogues (widget/locales/*.po),
// keyed by the engine's locale, then by the English text.

import { engineLocale } from "./rules.js";

// `english` in the language of `locale`, and that language's code (for `lang`).
export function say(locale, english) {
  const code = engineLocale(locale);
  const words = Object.hasOwn(VERDICT_WORDS, code) ? VERDICT_WORDS[code] : {};
  return Object.hasOwn(words, english) ? [words[english], code] : [english, "en"];
}
