// The data-* attribute parser: every value a publisher may type, good and bad.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { ATTRIBUTE_NAMES, DEFAULTS, attributeName, readConfig } from "../../../loader/attributes.js";

const element = (attributes) => ({ getAttribute: (name) => (name in attributes ? attributes[name] : null) });

let warnings;
const originalWarn = console.warn;
beforeEach(() => {
  warnings = [];
  console.warn = (message) => warnings.push(message);
  document.documentElement.lang = "en";
});
afterEach(() => {
  console.warn = originalWarn;
});

describe("attribute names", () => {
  it("are the camel-case keys in kebab case behind data-", () => {
    assert.equal(attributeName("headingLevel"), "data-heading-level");
    assert.equal(attributeName("ctaText"), "data-cta-text");
    assert.ok(ATTRIBUTE_NAMES.includes("data-bundle"));
    assert.equal(ATTRIBUTE_NAMES.length, Object.keys(DEFAULTS).length);
  });
});

describe("readConfig", () => {
  it("takes the element's values over the script tag's page-wide defaults", () => {
    const script = element({ "data-bundle": "/b.json", "data-theme": "dark", "data-endpoint": "https://votes.example" });
    const card = element({ "data-theme": "light", "data-comparison": "a-vs-b" });
    const config = readConfig(script, card);
    assert.equal(config.bundle, "https://blog.example/b.json", "a relative URL resolves against the page");
    assert.equal(config.theme, "light");
    assert.equal(config.comparison, "a-vs-b");
    assert.equal(config.endpoint, "https://votes.example/");
    assert.deepEqual(warnings, []);
  });

  it("falls back to the default and names the attribute for each bad value, once", () => {
    const card = element({ "data-theme": "neon", "data-heading-level": "7", "data-comparison": "Not A Slug" });
    const config = readConfig(null, card);
    readConfig(null, card);
    assert.equal(config.theme, "light");
    assert.equal(config.headingLevel, 2);
    assert.equal(config.comparison, null);
    assert.equal(warnings.length, 3, warnings.join("\n"));
    assert.match(warnings[0], /^Verdict: data-comparison="Not A Slug" is not valid: it takes a comparison id/);
    assert.match(warnings.join("\n"), /data-theme="neon" is not valid: it takes light, dark or auto; using "light"\./);
    assert.match(warnings.join("\n"), /data-heading-level="7" is not valid: it takes a number from 1 to 6/);
  });

  it("reads data-results: always by default, after-vote, and a warning for anything else", () => {
    assert.equal(readConfig(null, element({})).results, "always");
    assert.equal(readConfig(null, element({ "data-results": "after-vote" })).results, "after-vote");
    const config = readConfig(null, element({ "data-results": "hidden" }));
    assert.equal(config.results, "always");
    assert.deepEqual(warnings, [
      'Verdict: data-results="hidden" is not valid: it takes always or after-vote; always showing the community figures.',
    ]);
  });

  it("accepts only http(s) for the bundle and endpoint, and mailto too for the call to action", () => {
    const card = element({ "data-bundle": "javascript:alert(1)", "data-endpoint": "ftp://x", "data-cta-url": "mailto:a@b.example" });
    const config = readConfig(null, card);
    assert.equal(config.bundle, null);
    assert.equal(config.endpoint, null);
    assert.equal(config.ctaUrl, "mailto:a@b.example");
    assert.equal(warnings.length, 2);
  });

  it("reads sections as an ordered list of known names only", () => {
    assert.deepEqual(readConfig(null, element({ "data-sections": " vote, figures " })).sections, ["vote", "figures"]);
    assert.equal(readConfig(null, element({ "data-sections": "figures,ads" })).sections, null);
    assert.equal(warnings.length, 1);
  });

  it("reads lazy's three values and keeps true as the default", () => {
    assert.equal(readConfig(null, element({})).lazy, true);
    assert.equal(readConfig(null, element({ "data-lazy": "false" })).lazy, false);
    assert.equal(readConfig(null, element({ "data-lazy": "interaction" })).lazy, "interaction");
  });

  it("takes the page's language as the locale and refuses a language the engine does not speak", () => {
    document.documentElement.lang = "de-AT";
    assert.equal(readConfig(null, element({})).locale, "de-AT");
    const config = readConfig(null, element({ "data-locale": "tlh" }));
    assert.equal(config.locale, "de-AT");
    assert.match(warnings[0], /data-locale="tlh" is not valid: it takes a language tag of /);
    for (const code of VERDICT_RULES.locales) assert.equal(readConfig(null, element({ "data-locale": code })).locale, code);
  });

  it("bounds the call to action's text", () => {
    assert.equal(readConfig(null, element({ "data-cta-text": "Join us" })).ctaText, "Join us");
    assert.equal(readConfig(null, element({ "data-cta-text": "x".repeat(201) })).ctaText, null);
  });

  it("lets a caller's overrides win over every attribute", () => {
    const config = readConfig(element({ "data-theme": "dark" }), element({}), { theme: "auto" });
    assert.equal(config.theme, "auto");
  });
});
