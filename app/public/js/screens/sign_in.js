// Sign in with a phone number and the texted code: one question per page.
import { html, useState } from "../lib.js";
import { Page, Field, Button, ErrorSummary, Flash } from "../ui.js";
import { signIn as texts } from "../texts/session.js";
import { problemText } from "../texts/common.js";
import { session, requestCode, signInWithCode } from "../data/session.js";

export default function SignIn() {
  const [step, setStep] = useState("phone");
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);

  const fail = (error, field) => {
    if (error.status === 429) return setErrors([{ text: error.code === "sign_in_locked" ? texts.locked : problemText(error) }]);
    const fieldErrors = Object.entries(error.fields || {}).map(([key, list]) => ({ field: key === "phone_number" ? "phone" : key, text: list[0] }));
    setErrors(fieldErrors.length ? fieldErrors : [{ field, text: problemText(error) }]);
  };

  const send = async (event) => {
    event.preventDefault();
    if (!phone.trim()) return setErrors([{ field: "phone", text: texts.phoneMissing }]);
    setBusy(true);
    try {
      await requestCode(phone.trim());
      setErrors([]);
      setStep("code");
    } catch (error) {
      fail(error, "phone");
    } finally {
      setBusy(false);
    }
  };

  const verify = async (event) => {
    event.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) return setErrors([{ field: "code", text: texts.codeMissing }]);
    setBusy(true);
    try {
      await signInWithCode({ phoneNumber: phone.trim(), code: code.trim(), displayName: name.trim() });
    } catch (error) {
      fail(error, "code");
    } finally {
      setBusy(false);
    }
  };

  const errorFor = (field) => (errors.find((error) => error.field === field) || {}).text || "";

  if (step === "phone") {
    return html`<${Page} title=${texts.title}>
      <${Flash} text=${session.notice} />
      <${ErrorSummary} errors=${errors} />
      <p>${texts.intro}</p>
      <form onSubmit=${send} novalidate>
        <${Field} id="phone" label=${texts.phoneLabel} hint=${texts.phoneHint} error=${errorFor("phone")}
          type="tel" autocomplete="tel" inputmode="tel" value=${phone} onInput=${(e) => setPhone(e.target.value)} />
        <${Button} type="submit" busy=${busy}>${texts.send}</${Button}>
      </form>
    </${Page}>`;
  }
  return html`<${Page} title=${texts.codeTitle}>
    <${ErrorSummary} errors=${errors} />
    <p>${texts.codeIntro(phone)}</p>
    <form onSubmit=${verify} novalidate>
      <${Field} id="code" label=${texts.codeLabel} error=${errorFor("code")} type="text" inputmode="numeric"
        autocomplete="one-time-code" maxlength="6" value=${code} onInput=${(e) => setCode(e.target.value)} />
      <${Field} id="display_name" label=${texts.nameLabel} hint=${texts.nameHint} error=${errorFor("display_name")}
        type="text" autocomplete="given-name" value=${name} onInput=${(e) => setName(e.target.value)} />
      <${Button} type="submit" busy=${busy}>${texts.signIn}</${Button}>
    </form>
    <p class="links">
      <button type="button" class="link" onClick=${send}>${texts.newCode}</button>
      <button type="button" class="link" onClick=${() => { setStep("phone"); setCode(""); setErrors([]); }}>${texts.otherNumber}</button>
    </p>
  </${Page}>`;
}
