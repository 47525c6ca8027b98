"""The people screens in a real browser: my networks (joining by the
network's short name, an invitation, leaving), my personal map with who may
see each tie, and this phone and my account (devices, signing out another
device, my data, deleting my account, notifications on this phone)."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.app.conftest import AMARA, CHIOMA, GUS, HANA, axe_check, shoot, sign_in

TWO_NEW_NETWORKS = """
import json
from network.actions import do_invite
from network.models import Membership, Network, Person
nadia = Person.objects.get(phone_number="+447700800005")
amara = Person.objects.get(phone_number="+447700800001")
for name, slug in (("Norbury Circle", "norbury-circle"), ("Selhurst Friends", "selhurst-friends")):
    network = Network.objects.create(name=name, slug=slug, kind="living_support", area=name.split()[0])
    Membership.objects.create(person=nadia, network=network, role="navigator")
    do_invite(network=network, phone_number=amara.phone_number, actor=nadia)
print(json.dumps(amara.ties.count()))
"""

AMARAS_NETWORKS = """
import json
from network.models import Invitation, JoinRequest, Membership, Tie
mine = Membership.objects.filter(person__phone_number="+447700800001")
asked = JoinRequest.objects.filter(person__phone_number="+447700800001")
print(json.dumps({
    "in": sorted(mine.filter(left_at__isnull=True).values_list("network__slug", flat=True)),
    "left": sorted(mine.filter(left_at__isnull=False).values_list("network__slug", flat=True)),
    "asked": [[r.network.slug, r.status, r.note] for r in asked],
    "ties": Tie.objects.filter(owner__phone_number="+447700800001").count(),
    "invitations": sorted([i.network.slug, i.status] for i in Invitation.objects.all()),
}))
"""

ACCEPT_REQUEST = """
import json
from network.actions import do_accept_join_request
from network.models import JoinRequest, Person
nadia = Person.objects.get(phone_number="+447700800005")
request = JoinRequest.objects.get(person__phone_number="+447700800001", status="pending")
do_accept_join_request(join_request=request, actor=nadia, reason="met at the Tuesday meeting")
print(json.dumps(request.pk))
"""


def open_account(page: Page) -> None:
    page.get_by_role("link", name="This phone and my account").click()
    page.locator("h1", has_text="This phone and my account").wait_for()


def test_a_member_sees_her_networks_asks_to_join_one_and_joins_and_leaves_another(app_server, phone):
    ties_before = app_server.shell(TWO_NEW_NETWORKS)
    page = phone()
    sign_in(page, app_server, AMARA)
    page.get_by_role("link", name="My networks").click()
    page.locator("h1", has_text="My networks").wait_for()
    croydon = page.get_by_role("link", name=re.compile("Croydon SUN"))
    expect(croydon).to_contain_text("You are: Member")
    expect(croydon).to_contain_text("Area: Croydon")
    invited = "Nadia (navigator) invited you to join Norbury Circle."
    invitation = page.locator(".people-item", has_text=invited)
    invitation.wait_for()
    axe_check(page)
    shoot(page, "networks")

    # The network's own rules and emergency numbers, plainly.
    croydon.click()
    page.locator("h1", has_text="Croydon SUN").wait_for()
    expect(page.get_by_role("list").filter(has_text="First the people on call")).to_contain_text(
        "Then the navigators and staff, for up to 5 minutes."
    )
    samaritans = page.get_by_role("link", name="Samaritans: call 116 123").first
    expect(samaritans).to_have_attribute("href", "tel:116123")
    axe_check(page)
    shoot(page, "network")
    page.get_by_role("link", name="Back").click()

    # Self-referral by the network's short name, with a note.
    page.get_by_role("link", name="Ask to join another network").click()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the network's short name")
    axe_check(page)
    shoot(page, "network-join")
    page.get_by_label("What is the network's short name?").fill("no-such-network")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("alert")).to_contain_text("We could not find a network with that short name")
    page.get_by_label("What is the network's short name?").fill("thornton-heath-keyring")
    page.get_by_label("Is there anything you'd like them to know?").fill("I live on Brigstock Road")
    page.get_by_role("button", name="Send my request").click()
    sent = "Your request to join Thornton Heath KeyRing was sent"
    expect(page.get_by_role("status").filter(has_text=sent)).to_be_visible()
    expect(page.locator(".people-item", has_text="You asked to join Thornton Heath KeyRing.")).to_be_visible()

    # A navigator lets her in: the list shows it live, with no reload.
    app_server.shell(ACCEPT_REQUEST)
    expect(page.get_by_role("link", name=re.compile("Thornton Heath KeyRing"))).to_be_visible()
    expect(page.locator(".people-item", has_text="You asked to join")).to_have_count(0)

    # Saying no to an invitation asks first, and can be taken back.
    selhurst = page.locator(".people-item", has_text="invited you to join Selhurst Friends.")
    selhurst.get_by_role("button", name="No thanks").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("You will not join Selhurst Friends.")
    dialog.get_by_role("button", name="No thanks").click()
    expect(selhurst).to_have_count(0)

    # The invitation: joining shows the network at once.
    invitation.get_by_role("button", name="Join this network").click()
    page.locator("h1", has_text="Norbury Circle").wait_for()
    expect(page.get_by_role("status").filter(has_text="You have joined Norbury Circle.")).to_be_visible()

    # Leaving says what happens to her plan and map, and can be cancelled.
    page.get_by_role("button", name="Leave this network").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Your plan and your map stay yours.")
    axe_check(page)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Leave this network").click()
    dialog.get_by_role("button", name="Leave this network").click()
    page.locator("h1", has_text="My networks").wait_for()
    expect(page.get_by_role("status").filter(has_text="You have left Norbury Circle.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Norbury Circle"))).to_have_count(0)
    expect(page.locator(".people-item", has_text="Norbury Circle")).to_have_count(0)

    stored = app_server.shell(AMARAS_NETWORKS)
    assert stored["in"] == ["croydon-sun", "thornton-heath-keyring"]
    assert stored["left"] == ["norbury-circle"]
    assert stored["asked"] == [["thornton-heath-keyring", "accepted", "I live on Brigstock Road"]]
    assert stored["ties"] == ties_before  # her map stayed hers
    assert stored["invitations"] == [["norbury-circle", "accepted"], ["selhurst-friends", "declined"]]


AMARAS_TIES = """
import json
from network.models import Tie
print(json.dumps({t.label: [t.kind, t.relationship, t.strength, t.direction, t.visibility]
                  for t in Tie.objects.filter(owner__phone_number="+447700800001")}))
"""


def test_a_member_adds_changes_and_removes_people_on_her_map_choosing_who_may_see_each(app_server, phone):
    page = phone()
    sign_in(page, app_server, AMARA)
    page.get_by_role("link", name="My map").click()
    page.locator("h1", has_text="My map").wait_for()
    sister = page.get_by_role("link", name=re.compile("My sister"))
    expect(sister).to_contain_text("Who can see it: Only me")
    ben = page.get_by_role("link", name=re.compile("^Ben"))
    expect(ben).to_contain_text("Me and the people in my networks")
    axe_check(page)
    shoot(page, "map")

    page.get_by_role("link", name="Add someone or somewhere").click()
    page.locator("h1", has_text="Add to my map").wait_for()
    # Nothing is shared unless she chooses it.
    expect(page.get_by_label("Only me")).to_be_checked()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a name")
    axe_check(page)
    shoot(page, "map-add")
    page.get_by_label("What is their name, or the place's name?").fill("Aunty Joy")
    page.get_by_label("How are they part of your life?").fill("aunt")
    page.get_by_label("Strong: I can really lean on this").check()
    page.get_by_label("They help me").check()
    page.get_by_label("Me and my network's navigator").check()
    page.get_by_role("button", name="Save").click()
    page.locator("h1", has_text="My map").wait_for()
    joy = page.get_by_role("link", name=re.compile("Aunty Joy"))
    expect(joy).to_contain_text("Person · aunt · Strong")
    expect(joy).to_contain_text("Who can see it: Me and my network's navigator")
    assert app_server.shell(AMARAS_TIES)["Aunty Joy"] == ["person", "aunt", 3, "to_me", "my_navigator"]

    joy.click()
    page.locator("h1", has_text="Change this").wait_for()
    expect(page.get_by_label("What is their name, or the place's name?")).to_have_value("Aunty Joy")
    page.get_by_label("Me and the people in my networks").check()
    page.get_by_role("button", name="Save").click()
    expect(joy).to_contain_text("Me and the people in my networks")
    assert app_server.shell(AMARAS_TIES)["Aunty Joy"][4] == "my_network"

    page.get_by_role("link", name=re.compile("Aunty Joy")).click()
    page.get_by_role("button", name="Remove from my map").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Remove Aunty Joy from your map?")
    axe_check(page)
    dialog.get_by_role("button", name="Remove from my map").click()
    page.locator("h1", has_text="My map").wait_for()
    expect(page.get_by_role("status").filter(has_text="Aunty Joy was removed from your map.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Aunty Joy"))).to_have_count(0)
    assert "Aunty Joy" not in app_server.shell(AMARAS_TIES)


def test_the_account_shows_this_device_signs_out_another_renames_and_downloads_my_data(app_server, phone):
    page, other = phone(), phone()
    sign_in(other, app_server, CHIOMA)
    sign_in(page, app_server, CHIOMA)
    open_account(page)
    expect(page.get_by_text("Mobile number: 07700 800003")).to_be_visible()
    devices = page.locator(".people-item[data-device]")
    expect(devices).to_have_count(2)
    this_one = devices.filter(has_text="This device")
    expect(this_one).to_have_count(1)
    expect(this_one.get_by_role("button")).to_have_count(0)  # this phone signs out with "Sign out"
    axe_check(page)
    shoot(page, "account")

    # Sign out the other browser: its socket is closed, its next request is refused.
    other_id = other.evaluate(
        "() => fetch('/api/v1/me/devices/').then(r => r.json()).then(d => d.results.find(x => x.current).id)"
    )
    page.locator(f'[data-device="{other_id}"]').get_by_role("button", name="Sign out that device").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("That device will need the code from a text to sign in again.")
    dialog.get_by_role("button", name="Sign out that device").click()
    expect(page.get_by_role("status").filter(has_text="is signed out.")).to_be_visible()
    expect(devices).to_have_count(1)
    other.locator("h1", has_text="Sign in").wait_for()
    told = "You were signed out. Please sign in again."
    expect(other.get_by_role("status").filter(has_text=told)).to_be_visible()
    assert other.evaluate("() => fetch('/api/v1/me/').then(r => r.status)") == 401
    # This phone is still signed in.
    assert page.evaluate("() => fetch('/api/v1/me/').then(r => r.status)") == 200

    page.get_by_role("link", name="Change my name").click()
    name = page.get_by_label("What should people call you?")
    expect(name).to_have_value("Chioma")
    name.fill("")
    page.get_by_role("button", name="Change my name").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a name")
    axe_check(page)
    name.fill("Chi")
    page.get_by_role("button", name="Change my name").click()
    expect(page.get_by_text("Name: Chi", exact=True)).to_be_visible()
    assert page.evaluate("() => fetch('/api/v1/me/').then(r => r.json())")["display_name"] == "Chi"

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename == "circle-my-data.json"
    exported = json.loads(download.path().read_text(encoding="utf-8"))
    assert {"exported_at", "network", "crisis_plan"} <= set(exported)
    assert "Chi" in json.dumps(exported["network"])
    expect(page.get_by_role("status").filter(has_text="Your data was saved as a file.")).to_be_visible()


PERSON = """
import json
from network.models import Person
person = Person.objects.filter(phone_number="{number}").first()
print(json.dumps(person and [person.pk, person.display_name]))
"""


def test_deleting_my_account_warns_first_then_signing_in_again_makes_a_new_one(app_server, phone):
    page = phone()
    sign_in(page, app_server, HANA)
    before = app_server.shell(PERSON.format(number=HANA))
    open_account(page)
    page.get_by_role("link", name="Delete my account").click()
    page.locator("h1", has_text="Delete my account").wait_for()
    expect(page.get_by_role("main")).to_contain_text("This cannot be undone.")
    expect(page.get_by_role("main")).to_contain_text("Your crisis and support plan, every version of it.")
    expect(page.get_by_role("main")).to_contain_text("What stays, without your name")
    page.get_by_label("To confirm, type: delete my account").fill("delete")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_role("alert")).to_contain_text("Type delete my account to confirm")
    axe_check(page)
    shoot(page, "account-delete")
    assert app_server.shell(PERSON.format(number=HANA)) == before

    page.get_by_label("To confirm, type: delete my account").fill("delete my account")
    page.get_by_role("button", name="Delete my account for good").click()
    page.locator("h1", has_text="Sign in").wait_for()
    expect(page.get_by_role("status").filter(has_text="Your account was deleted.")).to_be_visible()
    assert page.evaluate("() => localStorage.length") == 0
    assert app_server.shell(PERSON.format(number=HANA)) is None

    sign_in(page, app_server, HANA, name="Hana again")
    expect(page.locator("h1")).to_have_text("Hello, Hana again")
    after = app_server.shell(PERSON.format(number=HANA))
    assert after[0] != before[0]
    assert after[1] == "Hana again"


# The browser's push service is the outside world: Chromium here reaches none,
# so PushManager.subscribe answers as the test says (a refusal by default,
# like a phone with no push service; a subscription once the test allows it),
# and records what the app asked for.
PUSH_SERVICE = """
window.pushServiceCalls = [];
PushManager.prototype.subscribe = async function (options) {
  window.pushServiceCalls.push({
    userVisibleOnly: options.userVisibleOnly,
    key: btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey))),
  });
  if (!window.pushServiceAnswers) {
    throw new DOMException("Registration failed - push service error", "AbortError");
  }
  const endpoint = "https://fcm.googleapis.com/fcm/send/circle-test-subscription";
  const keys = {
    p256dh: "BPcMbnWQL5GOYX_5kuKIKyPOyVWbP7rCdaBRlPVxAaj1Lo9EQNm2cK-sLHp5kIThwBAwpSgz4-YMfJ4mSnIDa1Y",
    auth: "4vQK-SvRAN5eo-8ASlrwA2",
  };
  window.pushServiceSubscription = {
    endpoint,
    toJSON: () => ({endpoint, keys}),
    unsubscribe: async () => { window.pushServiceSubscription = null; return true; },
  };
  return window.pushServiceSubscription;
};
PushManager.prototype.getSubscription = async () => window.pushServiceSubscription || null;
"""

# The browser's permission prompt is not part of the page: the test counts
# the asks, and answers as a person who closed the prompt without choosing.
PERMISSION_PROMPT = """
window.permissionAsks = 0;
Notification.requestPermission = async () => { window.permissionAsks += 1; return "default"; };
"""

PUSH_SUBSCRIPTIONS = """
import json
from messaging.models import PushSubscription
gus = PushSubscription.objects.filter(person__phone_number="+447700800007")
print(json.dumps([[s.endpoint, s.auth] for s in gus]))
"""


def test_notifications_are_offered_with_a_reason_and_asked_for_only_on_the_button(app_server, phone):
    # No permission granted: opening the app and the account never asks.
    page = phone()
    page.add_init_script(PERMISSION_PROMPT)
    sign_in(page, app_server, GUS)
    open_account(page)
    section = page.locator("section", has=page.get_by_role("heading", name="Notifications on this phone"))
    expect(section).to_contain_text("So you hear when someone needs you, even when the app is closed")
    button = section.get_by_role("button", name="Turn on notifications")
    expect(button).to_be_visible()
    axe_check(page)
    assert page.evaluate("() => [Notification.permission, window.permissionAsks]") == ["default", 0]
    button.click()
    page.wait_for_function("() => window.permissionAsks === 1")
    expect(button).to_be_enabled()  # not chosen: offered again, nothing claimed
    assert page.evaluate("() => Notification.permission") == "default"

    # Permission granted only in this browser, for the button.
    granted = phone(permissions=["notifications"])
    granted.add_init_script(PUSH_SERVICE)
    sign_in(granted, app_server, GUS)
    open_account(granted)
    heading = granted.get_by_role("heading", name="Notifications on this phone")
    section = granted.locator("section", has=heading)
    section.get_by_role("button", name="Turn on notifications").click()
    expect(section).to_contain_text("This phone could not turn on notifications. You'll still get texts.")
    axe_check(granted)
    shoot(granted, "account-push-failed")
    served = granted.evaluate("() => fetch('/api/v1/push/vapid-public-key/').then(r => r.json())")
    served_key = served["public_key"]
    calls = granted.evaluate("() => window.pushServiceCalls")
    assert len(calls) == 1
    assert calls[0]["userVisibleOnly"] is True
    assert calls[0]["key"].rstrip("=").replace("+", "-").replace("/", "_") == served_key
    assert app_server.shell(PUSH_SUBSCRIPTIONS) == []

    # Once the push service answers, the subscription reaches the service.
    granted.evaluate("() => { window.pushServiceAnswers = true; }")
    section.get_by_role("button", name="Try again").click()
    expect(section).to_contain_text("Notifications are on for this phone.")
    expect(section.get_by_role("button")).to_have_count(0)
    assert app_server.shell(PUSH_SUBSCRIPTIONS) == [
        ["https://fcm.googleapis.com/fcm/send/circle-test-subscription", "4vQK-SvRAN5eo-8ASlrwA2"]
    ]

    # Signing out of this phone stops the pushes to it.
    granted.get_by_role("button", name="Sign out").first.click()
    granted.get_by_role("dialog").get_by_role("button", name="Sign out").click()
    granted.locator("h1", has_text="Sign in").wait_for()
    assert app_server.shell(PUSH_SUBSCRIPTIONS) == []
    assert granted.evaluate("() => window.pushServiceSubscription") is None
