/* Web Push in the service worker: loaded by sw.js with importScripts("/sw-push.js").
 *
 * A push carries JSON {title, body, url} (foundation/transports/push.py): no
 * crisis content, only that someone needs support and where the app opens.
 * Every push shows a notification, even one we cannot read: browsers punish
 * a push that shows nothing. No fetch here, no imports: a classic script.
 */
"use strict";

var NEUTRAL_TITLE = "Peer support";
var NEUTRAL_BODY = "Open the app.";

/* Only a same-origin path is followed ("/#/alerts/..."); anything else, such
 * as "//elsewhere.example" or "https://...", opens the app's home. */
function safePushUrl(url) {
  if (typeof url !== "string" || url.charAt(0) !== "/" || url.charAt(1) === "/" || url.charAt(1) === "\\") {
    return "/";
  }
  try {
    var resolved = new URL(url, self.location.origin);
    if (resolved.origin !== self.location.origin) {
      return "/";
    }
    return resolved.pathname + resolved.search + resolved.hash;
  } catch (error) {
    return "/";
  }
}

function readPush(data) {
  var payload = null;
  try {
    payload = data ? data.json() : null;
  } catch (error) {
    payload = null;
  }
  if (!payload || typeof payload !== "object") {
    payload = {};
  }
  var url = safePushUrl(payload.url);
  return {
    title: typeof payload.title === "string" && payload.title ? payload.title : NEUTRAL_TITLE,
    body: typeof payload.body === "string" && payload.body ? payload.body : NEUTRAL_BODY,
    url: url,
    // One notification per alert or conversation: a second push replaces it.
    tag: url === "/" ? "crisisnet" : url
  };
}

self.addEventListener("push", function (event) {
  var push = readPush(event.data);
  event.waitUntil(
    self.registration.showNotification(push.title, {
      body: push.body,
      tag: push.tag,
      renotify: true,
      data: { url: push.url }
    })
  );
});

/* The window to bring forward: one of this origin's, the most recently used
 * (matchAll lists them in that order); none, and a new one is opened. */
function windowToUse(windows) {
  for (var i = 0; i < windows.length; i++) {
    if (new URL(windows[i].url).origin === self.location.origin && "focus" in windows[i]) {
      return windows[i];
    }
  }
  return null;
}

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = safePushUrl((event.notification.data || {}).url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      var client = windowToUse(windows);
      if (!client) {
        return self.clients.openWindow(url);
      }
      return client.focus().then(function (focused) {
        var target = focused || client;
        if (!("navigate" in target)) {
          return target;
        }
        // navigate() refuses a window this worker does not control: open one instead.
        return target.navigate(url).catch(function () {
          return self.clients.openWindow(url);
        });
      });
    })
  );
});

// For the tests, which call these inside the worker.
self.crisisnetPush = { safePushUrl: safePushUrl, readPush: readPush, windowToUse: windowToUse };
