// The view library, in one place: Preact with htm's tagged templates (no JSX,
// so no build step). Screens import from here, never from vendor/ directly.
import { h, render, Fragment } from "../vendor/preact.js";
import { useState, useEffect, useRef, useMemo, useCallback, useId } from "../vendor/preact-hooks.js";
import htm from "../vendor/htm.js";

export const html = htm.bind(h);
export { h, render, Fragment, useState, useEffect, useRef, useMemo, useCallback, useId };
