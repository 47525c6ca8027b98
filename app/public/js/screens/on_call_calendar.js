// Private calendar feeds (#/rota/calendar): make one, see its URL once with
// "Add to my calendar" (webcal://) and the link to copy, list and stop them.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { Page, Loading, Flash, ErrorSummary, Button, Confirm } from "../ui.js";
import { problemText, when } from "../texts/common.js";
import { calendar as texts } from "../texts/on_call.js";
import { networks, load as loadNetworks, byId } from "../data/networks.js";
import * as data from "../data/rota.js";

export default function Calendar() {
  useStore();
  const [flash, setFlash] = useState("");
  const [error, setError] = useState("");
  const [revoking, setRevoking] = useState(null);
  useEffect(() => {
    if (!networks.list) loadNetworks();
    data.loadFeeds();
    // The URL is shown once: leaving this screen forgets it.
    return () => data.forgetNewFeed();
  }, []);
  const revoke = async () => {
    try {
      await data.revokeFeed(revoking.id);
      setRevoking(null);
      setFlash(texts.revoked);
    } catch (failure) {
      setRevoking(null);
      setError(problemText(failure));
    }
  };
  const feeds = data.rota.feeds;
  return html`<${Page} title=${texts.title} back="/rota">
    <${Flash} text=${flash} />
    <${ErrorSummary} errors=${error} />
    <p>${texts.intro}</p>
    ${data.rota.newFeed ? html`<${NewFeed} feed=${data.rota.newFeed} />` : html`<${MakeFeed} onMade=${() => setFlash("")} />`}
    <section aria-labelledby="feeds-title">
      <h2 id="feeds-title">${texts.listTitle}</h2>
      ${feeds === null
        ? html`<${Loading} error=${data.rota.feedsError} retry=${data.loadFeeds} />`
        : feeds.length === 0
          ? html`<p>${texts.none}</p>`
          : html`<ul class="on-call-feeds">
              ${feeds.map(
                (feed) => html`<li class="on-call-feed" key=${feed.id}>
                  <span>${texts.made(texts.scopes[feed.scope], (byId(feed.network_id) || {}).name || "", when.at(new Date(feed.created_at)))}</span>
                  <${Button} kind="secondary" onClick=${() => setRevoking(feed)}>${texts.revoke}</${Button}>
                </li>`,
              )}
            </ul>`}
    </section>
    <${Confirm} open=${Boolean(revoking)} title=${texts.revokeTitle} body=${texts.revokeBody} confirm=${texts.revoke}
      danger=${true} onConfirm=${revoke} onCancel=${() => setRevoking(null)} />
  </${Page}>`;
}

function MakeFeed({ onMade }) {
  const list = networks.list || [];
  const [network, setNetwork] = useState(null);
  const [scope, setScope] = useState("my_shifts");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  if (!networks.list) return html`<${Loading} error=${networks.error} retry=${loadNetworks} />`;
  const chosen = network ?? (list[0] && list[0].id);
  const make = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await data.makeFeed(chosen, scope);
      onMade();
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<form onSubmit=${make}>
    <${ErrorSummary} errors=${error} />
    ${list.length > 1
      ? html`<fieldset class="field">
          <legend>${texts.networkLegend}</legend>
          ${list.map(
            (item) => html`<div class="choice">
              <input type="radio" id=${`feed-network-${item.id}`} name="feed-network" checked=${chosen === item.id} onChange=${() => setNetwork(item.id)} />
              <label for=${`feed-network-${item.id}`}>${item.name}</label>
            </div>`,
          )}
        </fieldset>`
      : null}
    <fieldset class="field">
      <legend>${texts.scopeLegend}</legend>
      ${Object.entries(texts.scopes).map(
        ([value, label]) => html`<div class="choice">
          <input type="radio" id=${`feed-scope-${value}`} name="feed-scope" checked=${scope === value} onChange=${() => setScope(value)} />
          <label for=${`feed-scope-${value}`}>${label}</label>
        </div>`,
      )}
    </fieldset>
    <${Button} type="submit" busy=${busy}>${busy ? texts.making : texts.make}</${Button}>
  </form>`;
}

function NewFeed({ feed }) {
  const [copied, setCopied] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(feed.url);
      setCopied(texts.copied);
    } catch {
      setCopied(texts.copyFailed);
    }
  };
  return html`<section class="on-call-new-feed" aria-labelledby="new-feed-title">
    <h2 id="new-feed-title">${texts.madeTitle}</h2>
    <p class="notice">${texts.madeOnce}</p>
    <a class="button button-primary" href=${data.webcal(feed.url)}>${texts.add}</a>
    <div class="field">
      <label for="feed-url">${texts.copyLabel}</label>
      <input id="feed-url" type="text" readonly value=${feed.url} onFocus=${(event) => event.currentTarget.select()} />
    </div>
    <${Button} kind="secondary" onClick=${copy}>${texts.copy}</${Button}>
    <div role="status">${copied ? html`<p class="hint">${copied}</p>` : null}</div>
    <${Button} kind="secondary" onClick=${data.forgetNewFeed}>${texts.done}</${Button}>
  </section>`;
}
