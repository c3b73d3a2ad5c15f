// A Vue 3 page drawing <verdict-card> (built by esbuild from the npm package for the tests): rendered in the
// browser, or hydrated over the server's HTML (vue_server.js) when the page says so.
// window.app.set({shown, bundle, comparison, theme}) re-renders it as a reader's clicks would.
import { createApp, createSSRApp } from "vue";
import { postApp } from "./vue_post.js";

const test = window.VERDICT_TEST;
const { app, set } = postApp(test.inline ? createSSRApp : createApp, test);
app.mount("#root");
window.app = { set };
