"""The viewer's push devices: the stack's public VAPID key (the browser's `applicationServerKey`), adding
this browser's subscription, and turning a device off (routes included by the handler's resolver)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field

from tvguide.api import SECURITY, json_response
from tvguide.errors import InvalidRequest, UpstreamFailed
from tvguide.runtime import vapid_keys
from tvguide.web_push import MAX_DEVICES, PushDevice, endpoint_allowed
from tvguide_preferences_api.settings import preferences_api_settings as settings
from tvguide_preferences_api.wiring import caller, push_devices

router = Router()  # type: ignore[no-untyped-call]  # Powertools' Router has no annotations
DeviceId = Annotated[str, Path(pattern=r"^[0-9a-f]{20}$", description="a device's id")]


def _device_view(device: PushDevice) -> dict[str, Any]:
    return {"id": device.device_id, "label": device.label, "created_at": device.created_at}


@router.get("/push", security=SECURITY)
def get_push() -> Response[str]:
    """The public key browsers subscribe with (made the first time it is asked for) and your devices that
    get notifications."""
    try:
        keys = vapid_keys(settings(), create=True)
    except Exception as exc:  # Secrets Manager: say so, never an empty 200
        raise UpstreamFailed(f"push notifications are unavailable: {type(exc).__name__}") from exc
    devices = push_devices().list(caller(router).sub)
    return json_response(
        200,
        {
            "public_key": keys.public_key if keys else None,
            "devices": [_device_view(d) for d in devices],
            "limit": MAX_DEVICES,
        },
    )


class SubscriptionKeys(BaseModel):
    model_config = ConfigDict(extra="ignore")
    p256dh: str = Field(min_length=80, max_length=100)
    auth: str = Field(min_length=16, max_length=32)


class SubscriptionBody(BaseModel):
    """What the browser's `PushSubscription.toJSON()` gives, and a name for the device."""

    model_config = ConfigDict(extra="ignore")
    endpoint: str = Field(min_length=10, max_length=1024)
    keys: SubscriptionKeys
    label: str = Field(default="", max_length=80)


@router.put("/push/devices", security=SECURITY)
def add_push_device(body: SubscriptionBody) -> Response[str]:
    """Turn notifications on for this browser (idempotent per subscription; at most 10 devices, 409 past
    that). The endpoint must be a known push service's (400 otherwise)."""
    if not endpoint_allowed(body.endpoint, settings().push_service_origins):
        raise InvalidRequest("That subscription's endpoint is not a push service this guide sends to")
    try:
        device = PushDevice(
            endpoint=body.endpoint,
            p256dh=body.keys.p256dh,
            auth=body.keys.auth,
            label=" ".join(body.label.split()),
        )
    except ValueError as exc:
        raise InvalidRequest("The subscription's keys are not a browser's push keys") from exc
    if not device.keys_valid():
        raise InvalidRequest("The subscription's keys are not a browser's push keys")
    stored = push_devices().add(caller(router).sub, device)  # TooManyDevices: a Conflict (409)
    return json_response(201, {"device": _device_view(stored), "message": "Notifications on for this device"})


@router.delete("/push/devices/<device_id>", security=SECURITY)
def remove_push_device(device_id: DeviceId) -> Response[str]:
    """Turn notifications off for a device (idempotent)."""
    push_devices().remove(caller(router).sub, device_id)
    return json_response(200, {"message": "Notifications off for that device", "id": device_id})
