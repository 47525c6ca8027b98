"""Thin REST views for a person's Web Push subscriptions."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.transports.push import vapid_public_key
from messaging.actions.push import do_subscribe_push
from messaging.models import PushSubscription
from messaging.serializers.push import PushSubscriptionIn, PushSubscriptionOut, VapidPublicKeyOut


class PushNotConfigured(NotFound):
    default_detail = "Push notifications are not configured on this service."
    default_code = "push_not_configured"


class VapidPublicKeyApi(APIView):
    """The key a browser subscribes to push with (its applicationServerKey)."""

    @extend_schema(
        responses={
            200: VapidPublicKeyOut,
            404: OpenApiResponse(
                description="Push is not configured here (problem type push_not_configured): "
                "the app should not offer push notifications."
            ),
        }
    )
    def get(self, request: Request) -> Response:
        public_key = vapid_public_key()
        if public_key is None:
            raise PushNotConfigured
        return Response(VapidPublicKeyOut({"public_key": public_key}).data)


class PushSubscriptionListApi(ListAPIView):
    """This person's Web Push subscriptions (one per browser or app)."""

    serializer_class = PushSubscriptionOut

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return PushSubscription.objects.filter(person=self.request.user)

    @extend_schema(request=PushSubscriptionIn, responses={201: PushSubscriptionOut})
    def post(self, request: Request) -> Response:
        data = PushSubscriptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        # Native apps and the web app both authenticate as a device (a header
        # token or the cookie): the subscription belongs to it.
        subscription = do_subscribe_push(person=request.user, device=request.auth, **data.validated_data)
        return Response(PushSubscriptionOut(subscription).data, status=status.HTTP_201_CREATED)


class PushSubscriptionDetailApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, subscription_id: int) -> Response:
        subscription = PushSubscription.objects.filter(person=request.user, pk=subscription_id).first()
        if subscription is None:
            raise NotFound
        subscription.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
