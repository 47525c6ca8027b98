from __future__ import annotations

from django.urls import path

from messaging.api import alerts as api
from messaging.api import check_ins, moderation, paging, pulse, push, report
from messaging.api import conversations as conv

urlpatterns = [
    # Paging (issue 17): your rules and test pages, the desk's failing pages.
    path("me/paging/", paging.MyPagingApi.as_view(), name="my-paging"),
    path("me/paging/rules/", paging.MyPagingRulesApi.as_view(), name="my-paging-rules"),
    path("me/test-pages/", paging.MyTestPageListApi.as_view(), name="my-test-pages"),
    path("me/test-pages/<int:test_page_id>/", paging.MyTestPageDetailApi.as_view(), name="my-test-page"),
    path(
        "me/test-pages/<int:test_page_id>/acknowledge/",
        paging.AcknowledgeTestPageApi.as_view(),
        name="my-test-page-acknowledge",
    ),
    path("networks/<int:network_id>/paging/", paging.NetworkPagingApi.as_view(), name="network-paging"),
    path("alerts/", api.AlertListApi.as_view(), name="alert-list"),
    path("alerts/<str:alert_id>/", api.AlertDetailApi.as_view(), name="alert-detail"),
    path("alerts/<str:alert_id>/accept/", api.AcceptAlertApi.as_view(), name="alert-accept"),
    path("alerts/<str:alert_id>/decline/", api.DeclineAlertApi.as_view(), name="alert-decline"),
    path("alerts/<str:alert_id>/cancel/", api.CancelAlertApi.as_view(), name="alert-cancel"),
    path("alerts/<str:alert_id>/contact/", api.ConfirmContactApi.as_view(), name="alert-contact"),
    path("alerts/<str:alert_id>/hand-over/", api.HandOverAlertApi.as_view(), name="alert-hand-over"),
    path("alerts/<str:alert_id>/resolve/", api.ResolveAlertApi.as_view(), name="alert-resolve"),
    path("alerts/<str:alert_id>/debrief/", api.DebriefAlertApi.as_view(), name="alert-debrief"),
    path("push-subscriptions/", push.PushSubscriptionListApi.as_view(), name="push-subscriptions"),
    path("push/vapid-public-key/", push.VapidPublicKeyApi.as_view(), name="push-vapid-public-key"),
    path(
        "networks/<int:network_id>/alert-health/", api.AlertHealthApi.as_view(), name="network-alert-health"
    ),
    path("networks/<int:network_id>/alerts/", api.NetworkAlertBoardApi.as_view(), name="network-alert-board"),
    # How the network is doing (issue 16).
    path("networks/<int:network_id>/report/", report.NetworkReportApi.as_view(), name="network-report"),
    path(
        "networks/<int:network_id>/report.csv",
        report.NetworkReportCsvApi.as_view(),
        name="network-report-csv",
    ),
    path("networks/<int:network_id>/pulse/", pulse.PulseApi.as_view(), name="network-pulse"),
    path(
        "networks/<int:network_id>/pulse/question/",
        pulse.PulseQuestionApi.as_view(),
        name="network-pulse-question",
    ),
    path(
        "networks/<int:network_id>/pulse/answers/",
        pulse.PulseAnswerApi.as_view(),
        name="network-pulse-answers",
    ),
    path(
        "push-subscriptions/<int:subscription_id>/",
        push.PushSubscriptionDetailApi.as_view(),
        name="push-subscription-detail",
    ),
    # Conversations and messages (issue 6).
    path("conversations/", conv.ConversationListApi.as_view(), name="conversation-list"),
    path("conversations/direct/", conv.DirectConversationApi.as_view(), name="conversation-direct"),
    path(
        "conversations/<str:conversation_id>/",
        conv.ConversationDetailApi.as_view(),
        name="conversation-detail",
    ),
    path(
        "conversations/<str:conversation_id>/messages/",
        conv.MessageListApi.as_view(),
        name="conversation-messages",
    ),
    path(
        "conversations/<str:conversation_id>/messages/<str:message_id>/",
        conv.MessageDetailApi.as_view(),
        name="conversation-message",
    ),
    path(
        "conversations/<str:conversation_id>/messages/<str:message_id>/report/",
        moderation.ReportMessageApi.as_view(),
        name="conversation-message-report",
    ),
    path(
        "conversations/<str:conversation_id>/receipts/",
        conv.ReceiptsApi.as_view(),
        name="conversation-receipts",
    ),
    path("conversations/<str:conversation_id>/mute/", conv.MuteApi.as_view(), name="conversation-mute"),
    path(
        "networks/<int:network_id>/conversation/",
        conv.GroupConversationApi.as_view(),
        name="network-conversation",
    ),
    path(
        "networks/<int:network_id>/message-retention/",
        moderation.MessageRetentionApi.as_view(),
        name="network-message-retention",
    ),
    path("message-reports/", moderation.MessageReportListApi.as_view(), name="message-reports"),
    path("messaging-preferences/", moderation.MessagingPreferenceApi.as_view(), name="messaging-preferences"),
    path("blocks/", moderation.BlockListApi.as_view(), name="block-list"),
    path("blocks/<int:person_id>/", moderation.BlockDetailApi.as_view(), name="block-detail"),
    path("check-ins/", check_ins.CheckInApi.as_view(), name="check-ins"),
    path("follow-ups/", check_ins.FollowUpListApi.as_view(), name="follow-ups"),
    path(
        "follow-ups/<int:follow_up_id>/check-in/",
        check_ins.FollowUpCheckInApi.as_view(),
        name="follow-up-check-in",
    ),
]
