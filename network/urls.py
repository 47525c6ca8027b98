from __future__ import annotations

from django.urls import path

from network.api import auth, maps, membership, rota, rules

urlpatterns = [
    path("auth/code/", auth.LoginCodeRequestApi.as_view(), name="auth-code"),
    path("auth/sign-in/", auth.SignInApi.as_view(), name="auth-sign-in"),
    path("auth/sign-out/", auth.SignOutApi.as_view(), name="auth-sign-out"),
    path("auth/ws-ticket/", auth.WebsocketTicketApi.as_view(), name="auth-ws-ticket"),
    path("me/", auth.MeApi.as_view(), name="me"),
    path("me/devices/", auth.DeviceListApi.as_view(), name="device-list"),
    path("me/devices/<str:device_id>/", auth.DeviceRevokeApi.as_view(), name="device-revoke"),
    # Networks and membership
    path("networks/", membership.NetworkListApi.as_view(), name="network-list"),
    path("networks/<int:network_id>/", membership.NetworkDetailApi.as_view(), name="network-detail"),
    path("networks/<int:network_id>/members/", membership.MemberListApi.as_view(), name="network-members"),
    path(
        "networks/<int:network_id>/history/",
        membership.MembershipHistoryApi.as_view(),
        name="network-history",
    ),
    path(
        "networks/<int:network_id>/join-requests/",
        membership.NetworkJoinRequestListApi.as_view(),
        name="network-join-requests",
    ),
    path(
        "networks/<int:network_id>/invitations/",
        membership.NetworkInvitationApi.as_view(),
        name="network-invitations",
    ),
    path("networks/<int:network_id>/leave/", membership.LeaveNetworkApi.as_view(), name="network-leave"),
    path("networks/<int:network_id>/me/", membership.MyMembershipApi.as_view(), name="my-membership"),
    path(
        "networks/<int:network_id>/me/availability/",
        membership.MyAvailabilityApi.as_view(),
        name="my-availability",
    ),
    path("join-requests/", membership.JoinRequestApi.as_view(), name="join-requests"),
    path(
        "join-requests/<int:join_request_id>/accept/",
        membership.JoinRequestAcceptApi.as_view(),
        name="join-request-accept",
    ),
    path(
        "join-requests/<int:join_request_id>/decline/",
        membership.JoinRequestDeclineApi.as_view(),
        name="join-request-decline",
    ),
    path("me/invitations/", membership.MyInvitationListApi.as_view(), name="my-invitations"),
    path(
        "invitations/<int:invitation_id>/accept/",
        membership.InvitationAcceptApi.as_view(),
        name="invitation-accept",
    ),
    path(
        "invitations/<int:invitation_id>/decline/",
        membership.InvitationDeclineApi.as_view(),
        name="invitation-decline",
    ),
    path(
        "memberships/<int:membership_id>/remove/",
        membership.RemoveMemberApi.as_view(),
        name="membership-remove",
    ),
    path(
        "memberships/<int:membership_id>/transfer/",
        membership.TransferMemberApi.as_view(),
        name="membership-transfer",
    ),
    path(
        "memberships/<int:membership_id>/readiness/",
        membership.ReadinessApi.as_view(),
        name="membership-readiness",
    ),
    # The rota
    path("networks/<int:network_id>/shifts/", rota.ShiftListApi.as_view(), name="network-shifts"),
    path("networks/<int:network_id>/rota/", rota.RotaApi.as_view(), name="network-rota"),
    path("networks/<int:network_id>/on-call/", rota.OnCallApi.as_view(), name="network-on-call"),
    path("networks/<int:network_id>/rota-report/", rota.RotaReportApi.as_view(), name="network-rota-report"),
    path("shifts/<int:shift_id>/", rota.ShiftDetailApi.as_view(), name="shift-detail"),
    path("shifts/<int:shift_id>/swaps/", rota.ShiftSwapApi.as_view(), name="shift-swaps"),
    path("me/swap-requests/", rota.MySwapRequestListApi.as_view(), name="my-swap-requests"),
    path(
        "swap-requests/<int:request_id>/accept/",
        rota.SwapRequestAcceptApi.as_view(),
        name="swap-request-accept",
    ),
    path(
        "swap-requests/<int:request_id>/decline/",
        rota.SwapRequestDeclineApi.as_view(),
        name="swap-request-decline",
    ),
    path(
        "swap-requests/<int:request_id>/withdraw/",
        rota.SwapRequestWithdrawApi.as_view(),
        name="swap-request-withdraw",
    ),
    path(
        "shifts/<int:shift_id>/cancellations/",
        rota.ShiftCancellationApi.as_view(),
        name="shift-cancellations",
    ),
    path("me/calendar-feeds/", rota.CalendarFeedListApi.as_view(), name="calendar-feeds"),
    path(
        "me/calendar-feeds/<int:feed_id>/", rota.CalendarFeedRevokeApi.as_view(), name="calendar-feed-revoke"
    ),
    path("calendar/<str:token>.ics", rota.CalendarFeedFileApi.as_view(), name="calendar-feed"),
    # Maps, the directory, the graph
    path("me/ties/", maps.MyTieListApi.as_view(), name="my-ties"),
    path("me/ties/<int:tie_id>/", maps.MyTieDetailApi.as_view(), name="my-tie-detail"),
    path("people/<int:person_id>/ties/", maps.PersonTieListApi.as_view(), name="person-ties"),
    path("networks/<int:network_id>/assets/", maps.AssetListApi.as_view(), name="network-assets"),
    path(
        "networks/<int:network_id>/directory/hsds/",
        maps.DirectoryHsdsApi.as_view(),
        name="network-directory-hsds",
    ),
    path(
        "networks/<int:network_id>/asset-reports/",
        maps.AssetReportListApi.as_view(),
        name="network-asset-reports",
    ),
    path("networks/<int:network_id>/health/", maps.NetworkHealthApi.as_view(), name="network-health"),
    path("assets/<int:asset_id>/", maps.AssetDetailApi.as_view(), name="asset-detail"),
    path("assets/<int:asset_id>/checked/", maps.AssetCheckedApi.as_view(), name="asset-checked"),
    path("assets/<int:asset_id>/reports/", maps.AssetReportCreateApi.as_view(), name="asset-reports"),
    path(
        "asset-reports/<int:report_id>/resolve/",
        maps.AssetReportResolveApi.as_view(),
        name="asset-report-resolve",
    ),
    path("graph/", maps.GraphApi.as_view(), name="graph"),
    # Members amend their network's rules
    path(
        "networks/<int:network_id>/rule-proposals/",
        rules.RuleProposalListApi.as_view(),
        name="network-rule-proposals",
    ),
    path("networks/<int:network_id>/rules/", rules.RulesApi.as_view(), name="network-rules"),
    path("rule-proposals/<int:proposal_id>/votes/", rules.RuleVoteApi.as_view(), name="rule-proposal-votes"),
    path(
        "rule-proposals/<int:proposal_id>/ratify/", rules.RuleRatifyApi.as_view(), name="rule-proposal-ratify"
    ),
    path(
        "rule-proposals/<int:proposal_id>/send-back/",
        rules.RuleSendBackApi.as_view(),
        name="rule-proposal-send-back",
    ),
]
