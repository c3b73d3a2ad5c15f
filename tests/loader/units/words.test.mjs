// The loader's own sentences in the card's language, from the engine's catalogues.
import assert from "node:assert/strict";
import { it } from "node:test";

import { say } from "../../../loader/words.js";

const translated = Object.keys(VERDICT_WORDS).filter((code) => code !== "en");

it("answers in the language subtag of the card's locale, with that language's code", () => {
  assert.ok(translated.length > 0, "the build passes the translated sentences");
  for (const code of translated) {
    const [english, sentence] = Object.entries(VERDICT_WORDS[code])[0];
    assert.deepEqual(say(`${code}-XX`, english), [sentence, code]);
    assert.deepEqual(say(code.toUpperCase(), english), [sentence, code]);
  }
});

it("falls back to English for a language it has no words in, or a sentence it does not know", () => {
  const [code] = translated;
  assert.deepEqual(say("tlh", "Loading the comparison…"), ["Loading the comparison…", "en"]);
  assert.deepEqual(say(code, "A sentence no catalogue has"), ["A sentence no catalogue has", "en"]);
  assert.deepEqual(say(undefined, "Hello"), ["Hello", "en"]);
});
