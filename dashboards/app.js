// The dashboards' shell: login or the app (top bar, navigation, live
// indicator, the current page), a hash router over pages/registry.js, and
// the one live channel shared by every page.

import { request, useSession, SESSION_ENDED_EVENT } from "./lib/api.js";
import { fill, h } from "./lib/dom.js";
import { LiveChannel } from "./lib/live.js";
import { mountLogin } from "./pages/login.js";
import { PAGES } from "./pages/registry.js";

const main = document.getElementById("main");
const topbar = document.getElementById("topbar");
const liveState = document.getElementById("live-state");
const LIVE_TEXT = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };

let session = null;
let live = null;
let current = null;
let routeSeq = 0;

async function boot() {
  try {
    session = (await request("/ui/session", { expect401: true })).body;
    startApp();
  } catch (err) {
    if (err.status === 401) showLogin();
    else fill(main, h("p", { class: "message error", role: "alert" }, `Cannot reach the ACS: ${err.message}`));
  }
}

function showLogin() {
  stopApp();
  session = null;
  topbar.hidden = true;
  document.title = "Log in · FlexACS";
  mountLogin(main, {
    onLoggedIn: (s) => {
      session = s;
      startApp();
    },
  });
}

function setLiveState(state) {
  liveState.dataset.state = state;
  liveState.querySelector(".text").textContent = LIVE_TEXT[state];
}

function startApp() {
  useSession(session);
  topbar.hidden = false;
  fill(document.getElementById("who"), `${session.name} (${session.role})`);
  fill(document.getElementById("nav"), PAGES.filter((p) => p.nav).map((p) => h("li", {}, h("a", { href: p.nav, "data-page": p.id }, p.title))));
  live = new LiveChannel({
    onMessage: (message) => current?.onLive?.(message),
    onState: (state, { reconnected }) => {
      setLiveState(state);
      // Events sent while the link was down are lost: the page reloads its data.
      if (reconnected) current?.onReconnect?.();
    },
    onSessionEnded: showLogin,
    onRefused: () => request("/ui/session").catch(() => {}), // a 401 there ends the session
  });
  live.start();
  window.addEventListener("hashchange", route);
  route();
}

function stopApp() {
  live?.stop();
  live = null;
  window.removeEventListener("hashchange", route);
  current?.destroy?.();
  current = null;
}

async function route() {
  const seq = ++routeSeq;
  const [path, query = ""] = (location.hash.slice(1) || "/overview").split("?");
  let params = null;
  const page = PAGES.find((p) => (params = p.match(path)) !== null);
  current?.destroy?.();
  current = null;
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.page === (page?.nav ? page.id : page?.id === "device" ? "devices" : "")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (!page) {
    live.watch({});
    fill(main, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "#/overview" }, "Back to the overview")));
    return;
  }
  const module = await page.load();
  if (seq !== routeSeq || !session) return;
  document.title = `${page.title} · FlexACS`;
  fill(main);
  live.watch({}); // nothing until the new page says what it shows
  current = module.mount(main, { session, params, query: new URLSearchParams(query), live });
  main.focus({ preventScroll: true });
}

window.addEventListener(SESSION_ENDED_EVENT, () => {
  if (session) showLogin();
});

document.getElementById("logout").addEventListener("click", async () => {
  try {
    await request("/ui/session", { method: "DELETE" });
  } finally {
    showLogin();
  }
});

boot();
