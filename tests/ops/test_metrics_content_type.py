"""GET /metrics names its format once (outside tester, item 5): Flask's `mimetype=` appended a
second "charset=utf-8" to prometheus_client's CONTENT_TYPE_LATEST, which Prometheus 3 refuses."""
from __future__ import annotations

import dataclasses

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families


def test_metrics_content_type_has_each_parameter_once(client, app):
    app.config["TSUNAGU"] = dataclasses.replace(app.config["TSUNAGU"], metrics_token="s3cret")
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == 200
    content_type = response.headers["Content-Type"]
    assert content_type == CONTENT_TYPE_LATEST
    assert content_type.count("charset=") == 1
    params = [p.strip().split("=")[0] for p in content_type.split(";")[1:]]
    assert len(params) == len(set(params))
    families = {f.name for f in text_string_to_metric_families(response.get_data(as_text=True))}
    assert "tsunagu_events_received" in families  # and the body is what the header says
