// "Your pages may not reach you": for a peer the service has flagged (issue
// 17: a test page not answered, no way to reach them that works, pages
// failing), on the home screen and the on-call screen, before their shift
// rather than during a crisis. Shown only to someone a facilitator marked
// ready for on call; it asks the service only for them.
import { html, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { bannerTexts as texts, flagTexts } from "../texts/paging.js";
import { readyIn } from "../data/rota.js";
import * as data from "../data/paging.js";

export default function PagingBanner() {
  useStore();
  const ready = readyIn().length > 0;
  useEffect(() => {
    if (ready && data.mine() === null) data.load();
  }, [ready]);
  const flags = ready ? data.flags() : [];
  if (!flags.length) return null;
  const first = flags[0];
  const what = (flagTexts[first.code] || {}).mine || first.message;
  return html`<aside class="notice paging-banner" aria-labelledby="paging-banner-title" data-flag=${first.code}>
    <h2 id="paging-banner-title">${texts.title}</h2>
    <p>${texts.why(what)}</p>
    <p><a class="button button-primary" href=${href("/account/paging")}>${texts.link}</a></p>
  </aside>`;
}
