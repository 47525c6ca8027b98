"""Networks and membership: self-referral, invitations, leaving, removal, transfer,
readiness, and a member's own choices."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.idempotency import idempotent
from network import actions, selectors
from network.models import Invitation, JoinRequest, Membership, MembershipChange, Network
from network.selectors import FACILITATORS, MANAGERS
from network.serializers.membership import (
    AvailabilityIn,
    InvitationIn,
    InvitationOut,
    JoinedOut,
    JoinRequestIn,
    JoinRequestOut,
    MemberOut,
    MembershipChangeOut,
    MembershipReasonIn,
    MembershipTransferIn,
    MyMembershipIn,
    MyMembershipOut,
    NetworkOut,
    NetworkUpdateIn,
    ReadinessIn,
    RemovalReasonIn,
)


def _joined(request: Request, joined: actions.Joined, code: int = status.HTTP_200_OK) -> Response:
    warning = (
        f"{joined.membership.network.name} is now over its size cap of {joined.membership.network.size_cap}."
        if joined.over_size_cap
        else None
    )
    body = {"membership": joined.membership, "over_size_cap": joined.over_size_cap, "warning": warning}
    return Response(JoinedOut(body, context={"request": request}).data, status=code)


class NetworkListApi(ListAPIView):
    """The networks I belong to, with my role in each."""

    serializer_class = NetworkOut

    def get_queryset(self) -> QuerySet[Network]:
        return selectors.networks_of(person=self.request.user)

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        roles = dict(selectors.current_memberships(person=request.user).values_list("network_id", "role"))
        page = self.paginate_queryset(self.get_queryset())
        for network in page or []:
            network.viewer_role = roles.get(network.pk)  # type: ignore[attr-defined]
        return self.get_paginated_response(NetworkOut(page, many=True).data)


class NetworkDetailApi(APIView):
    @extend_schema(responses=NetworkOut)
    def get(self, request: Request, network_id: int) -> Response:
        network = selectors.access_network_by_id(person=request.user, network_id=network_id)
        return Response(NetworkOut(network).data)

    @extend_schema(request=NetworkUpdateIn, responses=NetworkOut)
    def patch(self, request: Request, network_id: int) -> Response:
        """Navigators and facilitators: name, area, time zone, soft size cap,
        emergency routes and escalation steps."""
        network = selectors.access_network_by_id(person=request.user, network_id=network_id, roles=MANAGERS)
        data = NetworkUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        network = actions.do_update_network(network=network, **data.validated_data)
        return Response(NetworkOut(network).data)


class MemberListApi(ListAPIView):
    """Fellow members: display names, and only what each chose to share."""

    serializer_class = MemberOut

    def get_queryset(self) -> QuerySet[Membership]:
        network = selectors.access_network_by_id(
            person=self.request.user, network_id=self.kwargs["network_id"]
        )
        return selectors.members_of(network=network)


class MembershipHistoryApi(ListAPIView):
    """Every membership change (who, when, why), newest first. Navigators and facilitators."""

    serializer_class = MembershipChangeOut

    def get_queryset(self) -> QuerySet[MembershipChange]:
        network = selectors.access_network_by_id(
            person=self.request.user, network_id=self.kwargs["network_id"], roles=MANAGERS
        )
        return selectors.history_of(network=network)


class JoinRequestApi(ListAPIView):
    """My own requests to join (GET); ask to join a network by its slug (POST, self-referral)."""

    serializer_class = JoinRequestOut

    def get_queryset(self) -> QuerySet[JoinRequest]:
        return selectors.my_join_requests(person=self.request.user)

    @extend_schema(request=JoinRequestIn, responses={201: JoinRequestOut})
    @idempotent
    def post(self, request: Request) -> Response:
        data = JoinRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        network = selectors.find_network_for_self_referral(slug=data.validated_data["network"])
        join_request = actions.do_request_to_join(
            person=request.user, network=network, note=data.validated_data.get("note", "")
        )
        return Response(JoinRequestOut(join_request).data, status=status.HTTP_201_CREATED)


class NetworkJoinRequestListApi(ListAPIView):
    """Pending requests to join. Navigators and facilitators."""

    serializer_class = JoinRequestOut

    def get_queryset(self) -> QuerySet[JoinRequest]:
        network = selectors.access_network_by_id(
            person=self.request.user, network_id=self.kwargs["network_id"], roles=MANAGERS
        )
        return selectors.join_requests_of(network=network)


class JoinRequestAcceptApi(APIView):
    @extend_schema(request=MembershipReasonIn, responses=JoinedOut)
    def post(self, request: Request, join_request_id: int) -> Response:
        """Accept: the person joins as a member. Over the soft cap it still joins, with a warning."""
        join_request = selectors.access_join_request_by_id(
            person=request.user, join_request_id=join_request_id
        )
        data = MembershipReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        joined = actions.do_accept_join_request(
            join_request=join_request, actor=request.user, reason=data.validated_data["reason"]
        )
        return _joined(request, joined)


class JoinRequestDeclineApi(APIView):
    @extend_schema(request=MembershipReasonIn, responses=JoinRequestOut)
    def post(self, request: Request, join_request_id: int) -> Response:
        join_request = selectors.access_join_request_by_id(
            person=request.user, join_request_id=join_request_id
        )
        data = MembershipReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        declined = actions.do_decline_join_request(
            join_request=join_request, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(JoinRequestOut(declined).data)


class NetworkInvitationApi(ListAPIView):
    """Invitations sent from this network (GET) and a new one by phone number (POST).
    Navigators and facilitators."""

    serializer_class = InvitationOut

    def _network(self) -> Network:
        return selectors.access_network_by_id(
            person=self.request.user, network_id=self.kwargs["network_id"], roles=MANAGERS
        )

    def get_queryset(self) -> QuerySet[Invitation]:
        return selectors.invitations_of(network=self._network())

    @extend_schema(request=InvitationIn, responses={201: InvitationOut})
    @idempotent
    def post(self, request: Request, network_id: int) -> Response:
        network = self._network()
        data = InvitationIn(data=request.data)
        data.is_valid(raise_exception=True)
        # Facilitators can co-write plans and break glass: only a facilitator makes another.
        if (
            data.validated_data["role"] == Membership.Role.FACILITATOR
            and network.viewer_role not in FACILITATORS
        ):  # type: ignore[attr-defined]
            raise ValidationError({"role": ["Only a facilitator can invite a facilitator."]})
        invitation = actions.do_invite(network=network, actor=request.user, **data.validated_data)
        return Response(InvitationOut(invitation).data, status=status.HTTP_201_CREATED)


class MyInvitationListApi(ListAPIView):
    """Invitations waiting for my phone number."""

    serializer_class = InvitationOut

    def get_queryset(self) -> QuerySet[Invitation]:
        return selectors.invitations_for(person=self.request.user)


class InvitationAcceptApi(APIView):
    @extend_schema(request=None, responses=JoinedOut)
    def post(self, request: Request, invitation_id: int) -> Response:
        invitation = selectors.access_invitation_for_invitee(person=request.user, invitation_id=invitation_id)
        return _joined(request, actions.do_accept_invitation(invitation=invitation, person=request.user))


class InvitationDeclineApi(APIView):
    @extend_schema(request=None, responses=InvitationOut)
    def post(self, request: Request, invitation_id: int) -> Response:
        invitation = selectors.access_invitation_for_invitee(person=request.user, invitation_id=invitation_id)
        return Response(
            InvitationOut(actions.do_decline_invitation(invitation=invitation, person=request.user)).data
        )


class LeaveNetworkApi(APIView):
    @extend_schema(request=MembershipReasonIn, responses={204: None})
    def post(self, request: Request, network_id: int) -> Response:
        """Leave. Your plan and your map stay yours."""
        membership = selectors.my_membership(person=request.user, network_id=network_id)
        data = MembershipReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_leave_network(membership=membership, reason=data.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class RemoveMemberApi(APIView):
    @extend_schema(request=RemovalReasonIn, responses={204: None})
    def post(self, request: Request, membership_id: int) -> Response:
        """Navigators and facilitators. The person's own data stays theirs."""
        membership = selectors.access_membership_by_id(
            person=request.user, membership_id=membership_id, roles=MANAGERS
        )
        data = RemovalReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_remove_member(
            membership=membership, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TransferMemberApi(APIView):
    @extend_schema(request=MembershipTransferIn, responses=JoinedOut)
    def post(self, request: Request, membership_id: int) -> Response:
        """Move a person to another network; you must navigate or facilitate both."""
        membership = selectors.access_membership_by_id(
            person=request.user, membership_id=membership_id, roles=MANAGERS
        )
        data = MembershipTransferIn(data=request.data)
        data.is_valid(raise_exception=True)
        to_network = selectors.access_network_by_id(
            person=request.user, network_id=data.validated_data["to_network"], roles=MANAGERS
        )
        joined = actions.do_transfer_member(
            membership=membership,
            to_network=to_network,
            actor=request.user,
            reason=data.validated_data["reason"],
        )
        return _joined(request, joined)


class ReadinessApi(APIView):
    @extend_schema(request=ReadinessIn, responses=MemberOut)
    def post(self, request: Request, membership_id: int) -> Response:
        """Facilitators mark a member ready (or not) to go on call."""
        membership = selectors.access_membership_by_id(
            person=request.user, membership_id=membership_id, roles=FACILITATORS
        )
        data = ReadinessIn(data=request.data)
        data.is_valid(raise_exception=True)
        membership = actions.do_set_readiness(
            membership=membership, actor=request.user, **data.validated_data
        )
        return Response(MemberOut(membership, context={"request": request}).data)


def _my_membership(membership: Membership) -> Response:
    membership.on_call = selectors.on_call_state(membership=membership, at=timezone.now())  # type: ignore[attr-defined]
    return Response(MyMembershipOut(membership).data)


class MyMembershipApi(APIView):
    """My own choices in one network: sharing, quiet hours, alerts per shift; and
    whether I am on call now, and until when."""

    @extend_schema(responses=MyMembershipOut)
    def get(self, request: Request, network_id: int) -> Response:
        return _my_membership(selectors.my_membership(person=request.user, network_id=network_id))

    @extend_schema(request=MyMembershipIn, responses=MyMembershipOut)
    def patch(self, request: Request, network_id: int) -> Response:
        membership = selectors.my_membership(person=request.user, network_id=network_id)
        data = MyMembershipIn(data=request.data)
        data.is_valid(raise_exception=True)
        return _my_membership(actions.do_update_my_membership(membership=membership, **data.validated_data))


class MyAvailabilityApi(APIView):
    @extend_schema(request=AvailabilityIn, responses=MyMembershipOut)
    def post(self, request: Request, network_id: int) -> Response:
        """'Available now until', 'I can't right now', or back to the rota only."""
        membership = selectors.my_membership(person=request.user, network_id=network_id)
        data = AvailabilityIn(data=request.data)
        data.is_valid(raise_exception=True)
        return _my_membership(actions.do_set_availability(membership=membership, **data.validated_data))
