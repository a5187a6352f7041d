// The pages, in navigation order: one module per page, loaded when first
// shown. A capability adds its page with one entry here.
//
// A page module exports mount(main, ctx) → { onLive?(message), onReconnect?(), destroy?() }
//   ctx: { session, params (from the path), query (URLSearchParams), live (LiveChannel: call live.watch({...})) }

export const PAGES = [
  { id: "overview", title: "Overview", nav: "#/overview", match: (path) => (path === "/overview" || path === "/" ? {} : null), load: () => import("./overview.js") },
  { id: "devices", title: "Devices", nav: "#/devices", match: (path) => (path === "/devices" ? {} : null), load: () => import("./devices.js") },
  {
    id: "device",
    title: "Device",
    match: (path) => {
      const m = /^\/devices\/([^/]+)$/.exec(path);
      return m ? { id: decodeURIComponent(m[1]) } : null;
    },
    load: () => import("./device.js"),
  },
  { id: "faults", title: "Faults", nav: "#/faults", match: (path) => (path === "/faults" ? {} : null), load: () => import("./faults.js") },
  { id: "tasks", title: "Tasks", nav: "#/tasks", match: (path) => (path === "/tasks" ? {} : null), load: () => import("./tasks.js") },
  { id: "linkrate", title: "Link rates", nav: "#/linkrate", match: (path) => (path === "/linkrate" ? {} : null), load: () => import("./linkrate.js") },
  { id: "returns", title: "Returns", nav: "#/returns", match: (path) => (path === "/returns" ? {} : null), load: () => import("./returns.js") },
  { id: "firmware", title: "Firmware", nav: "#/firmware", match: (path) => (path === "/firmware" ? {} : null), load: () => import("./firmware.js") },
  { id: "support", title: "Support", nav: "#/support", match: (path) => (path === "/support" ? {} : null), load: () => import("./support.js") },
  {
    id: "support-line",
    title: "Support",
    match: (path) => {
      const m = /^\/support\/lines\/([^/]+)$/.exec(path);
      return m ? { lineId: decodeURIComponent(m[1]) } : null;
    },
    load: () => import("./support.js"),
  },
];

/** Link to a device page (ids carry %-escapes, so they are encoded once more). */
export const deviceHref = (id) => `#/devices/${encodeURIComponent(id)}`;
