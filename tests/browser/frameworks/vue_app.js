// A Vue 3 page drawing <verdict-card> (built by esbuild from the npm package for the tests).
// window.app.set({shown, bundle, comparison, theme}) re-renders it as a reader's clicks would.
import { createApp, h, nextTick, reactive } from "vue";

const settings = reactive({ ...window.VERDICT_TEST.initial });

const Post = {
  render() {
    const card = h("verdict-card", {
      id: "card",
      bundle: settings.bundle,
      comparison: settings.comparison,
      endpoint: window.VERDICT_TEST.endpoint,
      theme: settings.theme,
      lazy: "false",
    });
    return h("article", [h("h1", "A post in Vue"), h("p", "Before the card."), settings.shown ? card : null,
      h("p", { id: "after" }, "After the card.")]);
  },
};

const app = createApp(Post);
app.config.compilerOptions.isCustomElement = (tag) => tag === "verdict-card";
app.mount("#root");
window.app = { set: (change) => { Object.assign(settings, change); return nextTick(); } };
