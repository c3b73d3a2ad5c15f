// The publisher's accent colour (data-accent): parsed by the browser's own
// CSS colour parser, never pasted into CSS text, and turned into the few
// colours the card draws with it, each keeping WCAG AA contrast (4.5:1):
//
//   --vd-custom-accent           fills: the CTA button, vote bars, borders
//   --vd-custom-on-accent        text on those fills: black or white
//   --vd-custom-accent-on-light  the accent as text (links) on the light card
//   --vd-custom-accent-on-dark   ... and on the dark card
//
// The card's own surfaces are known (card.css); a publisher's --verdict-surface
// and --verdict-panel on the host are taken into account when they are set.

const AA = 4.5;
const LIGHT = { surface: [255, 255, 255], panel: [245, 247, 250] };
const DARK = { surface: [22, 24, 29], panel: [31, 34, 41] };
const WHITE = [255, 255, 255];
const BLACK = [0, 0, 0];
// Keywords CSS.supports accepts as a colour but that are no colour of their own.
const NOT_A_COLOUR = /^(currentcolor|transparent|inherit|initial|unset|revert|revert-layer)$|\b(var|env|attr)\(/i;

let probe = null;

// [r, g, b] (0-255) for a CSS colour string, or null unless it is an opaque colour.
export function parseColour(text) {
  if (typeof text !== "string" || !text || NOT_A_COLOUR.test(text) || !CSS.supports("color", text)) return null;
  probe = probe || document.createElement("canvas").getContext("2d", { willReadFrequently: true });
  probe.clearRect(0, 0, 1, 1);
  probe.fillStyle = "#000";
  probe.fillStyle = text; // the canvas parses CSS colours; an invalid one is ignored
  probe.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
  return a === 255 ? [r, g, b] : null;
}

function luminance([r, g, b]) {
  const channel = (c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

const mix = (a, b, t) => a.map((c, i) => Math.round(c + (b[i] - c) * t));
const css = ([r, g, b]) => `rgb(${r}, ${g}, ${b})`;

// The accent, darkened or lightened just enough to read as text on every background.
function readableOn(accent, backgrounds) {
  const darkest = backgrounds.map(luminance).reduce((a, b) => Math.min(a, b));
  const towards = darkest > 0.18 ? BLACK : WHITE;
  for (let step = 0; step <= 20; step++) {
    const colour = mix(accent, towards, step / 20);
    if (backgrounds.every((bg) => contrast(colour, bg) >= AA)) return colour;
  }
  return towards;
}

function hostColour(host, property, fallback) {
  const value = getComputedStyle(host).getPropertyValue(property).trim();
  return (value && parseColour(value)) || fallback;
}

// The custom properties for an accent [r, g, b] on `host`'s card.
export function accentProperties(accent, host) {
  const light = [hostColour(host, "--verdict-surface", LIGHT.surface), hostColour(host, "--verdict-panel", LIGHT.panel)];
  const dark = [hostColour(host, "--verdict-surface", DARK.surface), hostColour(host, "--verdict-panel", DARK.panel)];
  return {
    "--vd-custom-accent": css(accent),
    "--vd-custom-on-accent": css(contrast(accent, WHITE) >= contrast(accent, BLACK) ? WHITE : BLACK),
    "--vd-custom-accent-on-light": css(readableOn(accent, light)),
    "--vd-custom-accent-on-dark": css(readableOn(accent, dark)),
  };
}
