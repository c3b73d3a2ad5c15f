// The Vue page's app, shared by the browser (vue_app.js) and the server render (vue_server.js).
// `test`: {endpoint, initial: {shown, bundle, comparison, theme}, inline?}. `inline`, the card's inline form (a
// declarative shadow root), goes inside the element in the server's render only: the browser's parser turns it
// into the element's shadow root, and Vue, hydrating a custom element, sets every prop it is given (innerHTML
// would add an inert copy of the card to the light DOM). An element mounted later gets its card from the loader.
import { h, nextTick, reactive } from "vue";

export function postApp(create, test, inline = null) {
  const settings = reactive({ ...test.initial });
  const Post = {
    render() {
      const card = h("verdict-card", {
        id: "card",
        bundle: settings.bundle,
        comparison: settings.comparison,
        endpoint: test.endpoint,
        theme: settings.theme,
        lazy: "false",
        ...(inline ? { innerHTML: inline } : {}),
      });
      return h("article", [h("h1", "A post in Vue"), h("p", "Before the card."), settings.shown ? card : null,
        h("p", { id: "after" }, "After the card.")]);
    },
  };
  const app = create(Post);
  app.config.compilerOptions.isCustomElement = (tag) => tag === "verdict-card";
  return { app, set: (change) => { Object.assign(settings, change); return nextTick(); } };
}
