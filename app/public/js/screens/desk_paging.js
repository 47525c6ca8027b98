// The desk's "Reaching peers" (issue 17): the peers of one network whose
// pages are failing or who may not get them (a test page not answered, no
// way to reach them that works), flagged first, so a navigator can help
// before the shift rather than find out during a crisis.
//   #/desk/<network>/paging
// Its own section rather than a panel on Membership: it answers a different
// question ("who can't we reach?"), has its own columns (last failure, next
// shift), and a navigator checks it before the week's shifts.
// Live: data/paging.js loads it again on `paging.health_changed`.
import { html, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Loading } from "../ui.js";
import { when } from "../texts/common.js";
import { deskPagingTexts as texts, flagTexts } from "../texts/paging.js";
import { membersTexts } from "../texts/desk_members.js";
import * as data from "../data/paging.js";
import { DeskPage } from "./desk_frame.js";

const at = (iso) => (iso ? when.at(new Date(iso)) : "");

export default function DeskPaging({ network }) {
  useStore();
  useEffect(() => {
    data.loadNetwork(network.id);
  }, [network.id]);
  const state = data.forNetwork(network.id);
  const retry = () => data.loadNetwork(network.id);
  let body;
  if (state.people === null) body = html`<${Loading} error=${state.error} retry=${retry} />`;
  else if (state.people.length === 0) body = html`<p class="notice notice-calm paging-all-clear">${texts.allClear}</p>`;
  else {
    body = html`<div class="desk-scroll">
      <table class="desk-table paging-table">
        <caption class="visually-hidden">${texts.caption}</caption>
        <thead>
          <tr>
            <th scope="col">${texts.colName}</th>
            <th scope="col">${texts.colWrong}</th>
            <th scope="col">${texts.colFailure}</th>
            <th scope="col">${texts.colTest}</th>
            <th scope="col">${texts.colShift}</th>
          </tr>
        </thead>
        <tbody>
          ${state.people.map((person) => html`<${Row} key=${person.person_id} network=${network} person=${person} />`)}
        </tbody>
      </table>
    </div>`;
  }
  return html`<${DeskPage} title=${texts.title} network=${network} section="paging">
    <p>${texts.intro}</p>
    ${state.error && state.people !== null ? html`<${Loading} error=${state.error} retry=${retry} />` : null}
    ${body}
  </${DeskPage}>`;
}

function Row({ network, person }) {
  const wrong = person.flags.map((flag) => (flagTexts[flag.code] || {}).theirs || flag.message);
  if (person.failures_7d) wrong.push(texts.failures(person.failures_7d));
  const failure = person.last_failure;
  return html`<tr data-person=${person.person_id} data-membership=${person.membership_id}>
    <th scope="row">
      <a href=${href(`/desk/${network.id}/members/${person.membership_id}`)}>${person.display_name}</a>
      <span class="hint paging-role">${membersTexts.roles[person.role] || person.role}</span>
    </th>
    <td><ul class="paging-wrong">${wrong.map((line) => html`<li>${line}</li>`)}</ul></td>
    <td>${failure ? texts.failure(texts.transports[failure.transport] || failure.transport, at(failure.at)) : texts.none}</td>
    <td>${person.last_test_acknowledged_at ? at(person.last_test_acknowledged_at) : texts.never}</td>
    <td>${person.next_shift_at ? at(person.next_shift_at) : texts.noShift}</td>
  </tr>`;
}
