// Which elements hold a card, for every part of the loader (the first script
// included): placeholders ([data-verdict]; a script tag carrying the marker
// gets its card after it, as a script cannot hold one) and <verdict-card>
// elements, whose attributes drop the "data-" prefix.

export const ELEMENT_TAG = "verdict-card";
export const PLACEHOLDER = "[data-verdict]:not(script)";
export const CARD_HOSTS = `${PLACEHOLDER}, ${ELEMENT_TAG}`;

// The attribute named `name` ("bundle", "heading-level"…) as written on `host`.
export const attributeOn = (host, name) => (host.localName === ELEMENT_TAG ? name : "data-" + name);
