// Every word the app shows, by topic (texts/<topic>.js), so they can be read
// together, kept plain (reading age 9 to 11, UK English) and translated later.
// Screens import the topic they need; nothing user-facing is written in a screen.
export const common = {
  appName: "Circle",
  back: "Back",
  loading: "Loading…",
  retry: "Try again",
  cancel: "Cancel",
  save: "Save",
  saved: "Saved",
  close: "Close",
  continue: "Continue",
  yes: "Yes",
  no: "No",
  home: "Home",
  helpNow: "Help now",
  errorTitle: "There is a problem",
  offlineTitle: "You're offline",
  offlineBody: "This shows what your phone saved the last time it was online.",
  reconnecting: "Reconnecting… What you see may be out of date.",
  connecting: "Connecting…",
  couldNotLoad: "This could not be loaded.",
  offlineAction: "You're offline. This will work when your phone is back online.",
  busy: "The service is busy. Please try again in a moment.",
  serverError: "Something went wrong on our side. Nothing was changed. Please try again.",
  notFound: "This is not here, or you can no longer see it.",
  signedOutElsewhere: "You were signed out. Please sign in again.",
  never: "never",
};

export const emergency = {
  title: "If you need help now",
  intro: "Circle is not an emergency service. If you are in danger or might act on thoughts of harming yourself, contact one of these now.",
  call: (label, number) => `${label}: call ${number}`,
  text: (label, number) => `${label}: text ${number}`,
  open: "Help now: emergency numbers",
};

export const when = {
  at: (date) =>
    date.toLocaleString("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit", day: "numeric", month: "short" }),
  time: (date) => date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }),
  ago(date) {
    const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
    if (seconds < 60) return "just now";
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return `${minutes} min ago`;
    const hours = Math.round(minutes / 60);
    if (hours < 24) return `${hours} h ago`;
    return date.toLocaleDateString("en-GB", { day: "numeric", month: "short" });
  },
};

// What to say for an ApiError (api.js), when a screen has nothing better.
export function problemText(error) {
  if (!error) return "";
  if (error.offline) return common.offlineAction;
  if (error.status === 503) return common.busy;
  if (error.status === 404) return common.notFound;
  if (error.status >= 500) return common.serverError;
  return error.detail || common.serverError;
}
