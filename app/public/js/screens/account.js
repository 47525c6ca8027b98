// This phone and my account: who I am (and changing my name), where I am
// signed in (this device marked; signing out another), signing out of this
// phone, notifications on this phone, my data, and deleting my account.
//   #/account          all of it
//   #/account/name     change my name (one question)
//   #/account/delete   delete my account (its own page, with the warning)
//   #/account/paging   how we reach me: my paging steps, test pages (account_paging.js)
import { html, useState, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { Page, Button, Loading, Confirm, Flash, Field, ErrorSummary, useFlash, goWithFlash } from "../ui.js";
import { accountTexts as texts } from "../texts/people.js";
import { signOut as signOutTexts } from "../texts/session.js";
import { when, problemText } from "../texts/common.js";
import { pagingTexts } from "../texts/paging.js";
import { session, signOut } from "../data/session.js";
import * as data from "../data/account.js";
import { forgetPush } from "../data/push.js";
import PushOffer from "./push_offer.js";
import AccountPaging from "./account_paging.js";


export default function Account({ path, query }) {
  if (path[0] === "paging") return html`<${AccountPaging} path=${path.slice(1)} query=${query} />`;
  if (path[0] === "name") return html`<${ChangeName} />`;
  if (path[0] === "delete") return html`<${DeleteAccount} />`;
  return html`<${Overview} />`;
}

function Overview() {
  useStore();
  const [flash, setFlash] = useState(useFlash());
  const [error, setError] = useState("");
  // One confirm dialog at a time (sign out that device, or this phone).
  const [asking, setAsking] = useState(null);
  const [downloading, setDownloading] = useState(false);
  useEffect(() => {
    data.loadDevices();
  }, []);
  const person = session.person || {};
  const devices = data.account.devices;
  const current = (devices || []).filter((device) => device.current);
  const others = (devices || []).filter((device) => !device.current);

  const askRevoke = (device) => {
    const name = device.name || texts.deviceUnnamed;
    setAsking({
      title: texts.signOutDeviceTitle(name),
      body: texts.signOutDeviceBody,
      confirm: texts.signOutDevice,
      onConfirm: async () => {
        try {
          await data.signOutDevice(device.id);
          setFlash(texts.signedOutDevice(name));
        } catch (failure) {
          setError(problemText(failure));
        } finally {
          setAsking(null);
        }
      },
    });
  };
  const askSignOut = () =>
    setAsking({
      title: signOutTexts.confirmTitle,
      body: signOutTexts.confirmBody,
      confirm: signOutTexts.confirm,
      onConfirm: async () => {
        await forgetPush();
        // signOut forgets this phone's copy even when the service cannot be reached.
        await signOut().catch(() => {});
      },
    });
  const download = async () => {
    setDownloading(true);
    setError("");
    try {
      await data.downloadMyData(texts.fileName);
      setFlash(texts.downloaded);
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setDownloading(false);
    }
  };

  return html`<${Page} title=${texts.title} back="/">
    <${Flash} text=${flash} />
    <${ErrorSummary} errors=${error} />
    <section aria-labelledby="who-title">
      <h2 id="who-title">${texts.whoTitle}</h2>
      <p>${texts.name(person.display_name || "")}</p>
      <p>${texts.number(person.phone_number || "")}</p>
      <p><a class="button button-secondary" href=${href("/account/name")}>${texts.changeName}</a></p>
    </section>

    <section aria-labelledby="sign-out-title">
      <h2 id="sign-out-title">${texts.signOutTitle}</h2>
      <p>${signOutTexts.confirmBody}</p>
      <${Button} kind="secondary" onClick=${askSignOut}>${signOutTexts.action}</${Button}>
    </section>

    <${PushOffer} texts=${texts} />
    <p><a class="tile" href=${href("/account/paging")}>${pagingTexts.link}</a></p>

    <section aria-labelledby="devices-title">
      <h2 id="devices-title">${texts.devicesTitle}</h2>
      ${devices === null
        ? html`<${Loading} error=${data.account.error} retry=${data.loadDevices} />`
        : html`<ul class="people-list">
            ${[...current, ...others].map(
              (device) => html`<li class="people-item people-box" data-device=${device.id}>
                <strong>${device.name || texts.deviceUnnamed}</strong>
                ${device.current ? html`<span class="people-tag">${texts.thisDevice}</span>` : null}
                <span>${texts.signedInOn(when.at(new Date(device.created)))}</span>
                ${device.last_seen_at ? html`<span>${texts.lastUsed(when.ago(new Date(device.last_seen_at)))}</span>` : null}
                ${device.current
                  ? null
                  : html`<${Button} kind="secondary" onClick=${() => askRevoke(device)}>${texts.signOutDevice}</${Button}>`}
              </li>`,
            )}
          </ul>`}
    </section>

    <section aria-labelledby="data-title">
      <h2 id="data-title">${texts.dataTitle}</h2>
      <p>${texts.dataIntro}</p>
      <${Button} kind="secondary" busy=${downloading} onClick=${download}>${downloading ? texts.downloading : texts.download}</${Button}>
      <p><a class="people-danger-link" href=${href("/account/delete")}>${texts.deleteLink}</a></p>
    </section>

    <${Confirm} open=${asking !== null} ...${asking || { title: "", body: "", confirm: "", onConfirm: () => {} }}
      onCancel=${() => setAsking(null)} />
  </${Page}>`;
}

function ChangeName() {
  useStore();
  const [name, setName] = useState((session.person && session.person.display_name) || "");
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const save = async (event) => {
    event.preventDefault();
    if (!name.trim()) return setErrors([{ field: "display_name", text: texts.nameMissing }]);
    setBusy(true);
    try {
      await data.rename(name.trim());
      goWithFlash("/account", texts.nameSaved);
    } catch (failure) {
      const fields = failure.fields && failure.fields.display_name;
      setErrors([fields ? { field: "display_name", text: fields[0] } : { text: problemText(failure) }]);
    } finally {
      setBusy(false);
    }
  };
  const error = (errors.find((item) => item.field === "display_name") || {}).text || "";
  return html`<${Page} title=${texts.nameTitle} back="/account">
    <${ErrorSummary} errors=${errors} />
    <form onSubmit=${save} novalidate>
      <${Field} id="display_name" label=${texts.nameLabel} hint=${texts.nameHint} error=${error} type="text"
        maxlength="80" autocomplete="given-name" value=${name} onInput=${(e) => setName(e.target.value)} />
      <${Button} type="submit" busy=${busy}>${texts.nameTitle}</${Button}>
    </form>
  </${Page}>`;
}

function DeleteAccount() {
  const [typed, setTyped] = useState("");
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const remove = async (event) => {
    event.preventDefault();
    if (typed.trim().toLowerCase() !== texts.confirmPhrase) return setErrors([{ field: "confirm", text: texts.confirmWrong }]);
    setBusy(true);
    try {
      await data.deleteAccount(typed.trim(), texts.deletedNotice);
      navigate("/sign-in", { replace: true });
    } catch (failure) {
      const fields = failure.fields && failure.fields.confirm;
      setErrors([fields ? { field: "confirm", text: fields[0] } : { text: problemText(failure) }]);
      setBusy(false);
    }
  };
  const error = (errors.find((item) => item.field === "confirm") || {}).text || "";
  return html`<${Page} title=${texts.deleteTitle} back="/account">
    <${ErrorSummary} errors=${errors} />
    <p class="notice"><strong>${texts.deleteWarning}</strong></p>
    <h2>${texts.deletedTitle}</h2>
    <ul>${texts.deleted.map((line) => html`<li>${line}</li>`)}</ul>
    <h2>${texts.keptTitle}</h2>
    <ul>${texts.kept.map((line) => html`<li>${line}</li>`)}</ul>
    <p>${texts.openAlert}</p>
    <form onSubmit=${remove} novalidate>
      <${Field} id="confirm" label=${texts.confirmLabel} error=${error} type="text" autocomplete="off"
        autocapitalize="none" spellcheck="false" value=${typed} onInput=${(e) => setTyped(e.target.value)} />
      <${Button} type="submit" kind="danger" busy=${busy}>${texts.deleteButton}</${Button}>
    </form>
  </${Page}>`;
}
