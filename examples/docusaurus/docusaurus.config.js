// A minimal Docusaurus site with a Verdict card on a blog post (blog/2026-12-01-card.mdx), written by the
// Verdict MDX component (src/components/Verdict.jsx), rendered at build time from the bundle's inline kit
// by plugins/remark-verdict.mjs.
// The widget host's dist/ (the loader is <widget>embed.js) and the vote endpoint.
const verdict = {
  widget: process.env.VERDICT_WIDGET || "http://127.0.0.1:8001/",
  endpoint: process.env.VERDICT_ENDPOINT || "http://127.0.0.1:8002",
  locale: "en",
};

module.exports = async () => ({
  title: "The Shipping Log",
  url: "http://127.0.0.1",
  baseUrl: "/",
  onBrokenLinks: "throw",
  presets: [
    [
      "classic",
      {
        docs: false,
        blog: {
          routeBasePath: "posts",
          showReadingTime: false,
          feedOptions: { type: null },
          onUntruncatedBlogPosts: "ignore",
          remarkPlugins: [[(await import("./plugins/remark-verdict.mjs")).default, verdict]],
        },
      },
    ],
  ],
});
