// The engine's rules as the loader reads them (loader/rules.js over VERDICT_RULES).
import assert from "node:assert/strict";
import { it } from "node:test";

import { FRAME_ATTRIBUTES, SECTIONS, engineLocale, isSlug } from "../../../loader/rules.js";

it("takes ids as the bundle's models do", () => {
  for (const id of ["a", "chatgpt-vs-claude", "x1-2"]) assert.ok(isSlug(id), id);
  for (const id of ["", "A", "a--b", "-a", "a-", "a_b", "a b", "a\n", "../a"]) assert.ok(!isSlug(id), JSON.stringify(id));
  assert.ok(!isSlug(null));
});

it("speaks the language subtag of a tag when the engine has it, else the engine's default", () => {
  assert.equal(engineLocale("de-AT"), "de");
  assert.equal(engineLocale(" FR_ca "), "fr");
  assert.equal(engineLocale("tlh"), VERDICT_RULES.defaultLocale);
  assert.equal(engineLocale(undefined), VERDICT_RULES.defaultLocale);
});

it("hands frame pages every attribute a card's sections and results need", () => {
  assert.ok(SECTIONS.includes("cta") && FRAME_ATTRIBUTES.includes("sections") && FRAME_ATTRIBUTES.includes("results"));
});
