// Which screen module draws which route: the first part of the path picks the
// module (screens/<name>.js), which gets the rest. Modules load on first use.
// Every screen module exports default a component taking {path, query}.
export const ROUTES = {
  "": () => import("./screens/home.js"),
  "sign-in": () => import("./screens/sign_in.js"),
  support: () => import("./screens/support.js"),
  alerts: () => import("./screens/alert.js"),
  help: () => import("./screens/help.js"),
  plan: () => import("./screens/plan.js"),
  plans: () => import("./screens/plan.js"),
  messages: () => import("./screens/messages.js"),
  conversations: () => import("./screens/messages.js"),
  "check-ins": () => import("./screens/messages.js"),
  map: () => import("./screens/map.js"),
  networks: () => import("./screens/networks.js"),
  account: () => import("./screens/account.js"),
  "on-call": () => import("./screens/on_call.js"),
  rota: () => import("./screens/on_call.js"),
  desk: () => import("./screens/desk.js"),
};

// Routes a signed-out person may see.
export const PUBLIC = new Set(["sign-in", "help"]);
