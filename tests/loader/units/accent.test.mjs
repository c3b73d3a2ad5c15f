// WCAG contrast, on which every colour the card derives from a publisher's accent rests.
import assert from "node:assert/strict";
import { it } from "node:test";

import { contrast } from "../../../loader/accent.js";

const WHITE = [255, 255, 255];
const BLACK = [0, 0, 0];

it("is 21:1 for black on white and 1:1 for a colour on itself, either way round", () => {
  assert.equal(contrast(BLACK, WHITE), 21);
  assert.equal(contrast(WHITE, BLACK), 21);
  assert.equal(contrast([47, 91, 211], [47, 91, 211]), 1);
});

it("matches WCAG's published ratio for mid grey on white (#777: 4.48, just under AA)", () => {
  assert.equal(Math.round(contrast([119, 119, 119], WHITE) * 100) / 100, 4.48);
  assert.ok(contrast([118, 118, 118], WHITE) >= 4.5, "#767676 is the lightest grey that passes AA on white");
});
