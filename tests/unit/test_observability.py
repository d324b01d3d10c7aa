import io
import json
import logging

from tvguide.observability import REDACTED, get_logger, redact

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXRleHQ"


def test_redact_hides_sensitive_keys_and_secret_looking_text():
    data = {
        "headers": {"Authorization": "Bearer abc.def", "X-API-Key": "k"},
        "url": "https://api.example/v1/x?apiKey=SECRET123&page=2",
        "note": f"token was {JWT}",
        "nested": [{"password": "p"}],
    }
    out = redact(data)
    assert out["headers"] == {"Authorization": REDACTED, "X-API-Key": REDACTED}
    assert "SECRET123" not in out["url"] and "page=2" in out["url"]
    assert JWT not in out["note"]
    assert out["nested"] == [{"password": REDACTED}]


def test_logger_output_never_contains_tokens_or_keys():
    stream = io.StringIO()
    logger = get_logger("unit")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    logger.info(f"calling with Bearer {JWT}", extra={"api_key": "SECRET-KEY", "event": {"token": JWT}})
    line = stream.getvalue().strip().splitlines()[-1]
    assert "SECRET-KEY" not in line and JWT not in line
    assert json.loads(line)["api_key"] == REDACTED
