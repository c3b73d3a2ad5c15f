// Loaded before every unit test (node --import): the build's --define constants, with the
// values the build itself computes (passed by tests/loader/test_units.py), and the one
// piece of the page the attribute parser reads (the document's base URL and language).
const defines = JSON.parse(process.env.VERDICT_DEFINES || "{}");
for (const [name, value] of Object.entries(defines)) globalThis[name] = value;
globalThis.document = { baseURI: "https://blog.example/posts/review/", documentElement: { lang: "en" } };
