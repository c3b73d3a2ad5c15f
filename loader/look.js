// What a card looks like without new HTML: theme, layout and accent live on
// the card's frame (.vd-root) and card.css does the rest, so a host page's
// own dark-mode toggle or a resized column restyles the card at once.

import { accentProperties, parseColour } from "./accent.js";

const ACCENT_PROPERTIES = ["--vd-custom-accent", "--vd-custom-on-accent", "--vd-custom-accent-on-light",
  "--vd-custom-accent-on-dark"];

export function applyLook(card) {
  const frame = card.root.querySelector(".vd-root");
  if (!frame) return;
  const { theme, layout, accent } = card.config;
  frame.dataset.theme = theme;
  frame.dataset.layout = layout;
  const colour = accent && parseColour(accent);
  if (colour) {
    for (const [name, value] of Object.entries(accentProperties(colour, card.host))) frame.style.setProperty(name, value);
  } else {
    for (const name of ACCENT_PROPERTIES) frame.style.removeProperty(name);
  }
}
