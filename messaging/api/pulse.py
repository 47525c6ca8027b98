"""The network's pulse (issue 16): the monthly question, set by its
facilitators and answered by its members; the answers are shown only in
aggregate, in the network's report."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.idempotency import idempotent
from messaging.actions import pulse as pulse_actions
from messaging.selectors import pulse as pulse_selectors
from messaging.serializers.pulse import PulseAnswerIn, PulseOut, PulseQuestionIn
from network import selectors as network_selectors
from network.models import Membership, Network, Person

ANSWERERS = (Membership.Role.MEMBER, Membership.Role.NAVIGATOR)


def _pulse_out(network: Network, person: Person) -> dict:
    question = pulse_selectors.active_question(network=network)
    period = pulse_selectors.answering_period(network=network)
    answer = pulse_selectors.my_answer(question=question, person=person, period=period)
    return PulseOut(
        {
            "question": question,
            "period": {"key": period.key, "label": period.label},
            "my_answer": answer,
        }
    ).data


class PulseApi(APIView):
    @extend_schema(responses=PulseOut)
    def get(self, request: Request, network_id: int) -> Response:
        """The network's question this month, and your answer if you gave one (any member)."""
        network = network_selectors.access_network_by_id(person=request.user, network_id=network_id)
        return Response(_pulse_out(network, request.user))


class PulseQuestionApi(APIView):
    @extend_schema(request=PulseQuestionIn, responses=PulseOut)
    @idempotent
    def put(self, request: Request, network_id: int) -> Response:
        """Facilitators: ask this each month from now on (a new text is a new question)."""
        network = network_selectors.access_network_by_id(
            person=request.user, network_id=network_id, roles=network_selectors.FACILITATORS
        )
        data = PulseQuestionIn(data=request.data)
        data.is_valid(raise_exception=True)
        pulse_actions.do_set_pulse_question(network=network, actor=request.user, **data.validated_data)
        return Response(_pulse_out(network, request.user))

    @extend_schema(request=None, responses={204: None})
    @idempotent
    def delete(self, request: Request, network_id: int) -> Response:
        """Facilitators: stop asking (the answers given stay in their months' reports)."""
        network = network_selectors.access_network_by_id(
            person=request.user, network_id=network_id, roles=network_selectors.FACILITATORS
        )
        pulse_actions.do_turn_off_pulse_question(network=network, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PulseAnswerApi(APIView):
    @extend_schema(request=PulseAnswerIn, responses={201: PulseOut})
    @idempotent
    def post(self, request: Request, network_id: int) -> Response:
        """Members and navigators: answer this month's question, once (409 after).
        Your words are sealed with your key and read only unattributed, in aggregate."""
        network = network_selectors.access_network_by_id(
            person=request.user, network_id=network_id, roles=ANSWERERS
        )
        data = PulseAnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        pulse_actions.do_answer_pulse(
            network=network,
            person=request.user,
            scale=data.validated_data["scale"],
            words=data.validated_data.get("words", ""),
        )
        return Response(_pulse_out(network, request.user), status=status.HTTP_201_CREATED)
